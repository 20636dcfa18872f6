extension Plan {
    /// Checks what a pipeline carries as data: params and `with:` values must be storable exactly (finite numbers,
    /// at most ``JSONValue/maximumDepth`` levels deep), and command lines must not hold NUL characters, which an
    /// argv element or environment entry cannot carry (they would be cut short silently).
    static func checkValues(_ pipeline: Pipeline, issues: inout [PipelineIssue]) {
        for (name, value) in pipeline.params.sorted(by: { $0.key < $1.key }) {
            if let problem = value.storageProblem() {
                issues.append(PipelineIssue(problem.message, at: [.key("params"), .key(name)] + problem.path))
            }
        }
        let tasks = pipeline.tasks
        for position in tasks.indices {
            let id = tasks[position].id
            var base: [PipelineIssue.PathComponent] { [.key("tasks"), .key(id)] }
            switch tasks[position].action {
            case .uses(_, let inputs):
                if let problem = JSONValue.object(inputs).storageProblem() {
                    issues.append(PipelineIssue(problem.message, at: base + [.key("with")] + problem.path))
                }
            case .run(let argv):
                for (position, argument) in argv.enumerated() where argument.utf8.contains(0) {
                    issues.append(PipelineIssue(nulMessage("this argument"), at: base + [.key("run"), .index(position)]))
                }
            case .shell(let script):
                if script.utf8.contains(0) {
                    issues.append(PipelineIssue(nulMessage("the script"), at: base + [.key("shell")]))
                }
            }
            let env = tasks[position].env
            for (key, value) in env.isEmpty ? [] : env.sorted(by: { $0.key < $1.key })
            where (key + value).utf8.contains(0) {
                issues.append(PipelineIssue(nulMessage("this environment variable"), at: base + [.key("env"), .key(key)]))
            }
            if let workdir = tasks[position].workdir, workdir.utf8.contains(0) {
                issues.append(PipelineIssue(nulMessage("workdir"), at: base + [.key("workdir")]))
            }
        }
    }

    private static func nulMessage(_ what: String) -> String {
        "\(what) contains a NUL character (\\0), which a command line or environment cannot carry; remove it"
    }
}

extension JSONValue {
    /// The deepest nesting of arrays and objects accepted in params and `with:` values: 64 levels.
    public static let maximumDepth = 64

    /// The first thing in this value that cannot be stored and read back as it is: a number that is not finite
    /// (infinity or NaN; JSON has no such numbers), or arrays and objects nested more than ``maximumDepth`` levels.
    ///
    /// Walks without recursion, so any value can be checked.
    /// - Returns: The path inside the value and what is wrong, or `nil` when the value is fine.
    public func storageProblem() -> (path: [PipelineIssue.PathComponent], message: String)? {
        if isStorable(depth: 0) { return nil }  // the common case, answered without building a path per member
        var stack: [(value: JSONValue, path: [PipelineIssue.PathComponent], depth: Int)] = [(self, [], 0)]
        while let (value, path, depth) = stack.popLast() {
            switch value {
            case .number(let number) where !number.isFinite:
                return (path, "\(number) is not a finite number, which JSON cannot hold; use a finite number or text")
            case .array(let elements):
                guard depth < Self.maximumDepth else { return (path, Self.tooDeepMessage) }
                for (index, element) in elements.enumerated().reversed() {
                    stack.append((element, path + [.index(index)], depth + 1))
                }
            case .object(let members):
                guard depth < Self.maximumDepth else { return (path, Self.tooDeepMessage) }
                for key in members.keys.sorted().reversed() {
                    stack.append((members[key]!, path + [.key(key)], depth + 1))
                }
            case .null, .bool, .number, .string: break
            }
        }
        return nil
    }

    /// Whether ``storageProblem()`` finds nothing, for a value `depth` levels down. Recursion stops at
    /// ``maximumDepth`` levels, so it stays shallow whatever the value.
    private func isStorable(depth: Int) -> Bool {
        switch self {
        case .number(let number): return number.isFinite
        case .array(let elements):
            return depth < Self.maximumDepth && elements.allSatisfy { $0.isStorable(depth: depth + 1) }
        case .object(let members):
            return depth < Self.maximumDepth && members.values.allSatisfy { $0.isStorable(depth: depth + 1) }
        case .null, .bool, .string: return true
        }
    }

    private static let tooDeepMessage =
        "lists and mappings nest more than \(maximumDepth) levels deep here (the limit); flatten the value"
}

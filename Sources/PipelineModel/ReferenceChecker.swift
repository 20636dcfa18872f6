/// Parses a task's expressions and checks that each reference can resolve when the task runs.
struct ReferenceChecker {
    /// The pipeline's params, by name.
    let params: [String: JSONValue]
    let taskID: String
    let index: [String: Int]
    /// The task's transitive upstream tasks, as a bitset of task indices.
    let upstream: [UInt64]
    /// Templates parsed so far by the checkers of one plan (a fan-out repeats the same text a thousand times).
    let templates: TemplateParses

    typealias IssuePath = [PipelineIssue.PathComponent]

    /// `tasks.ID` followed by `components`.
    private static func path(_ taskID: String, _ components: PipelineIssue.PathComponent...) -> IssuePath {
        [.key("tasks"), .key(taskID)] + components
    }

    /// The condition of `condition`, or `absent` (the plan's one `success()`, shared by every task without `if:`:
    /// an indirect enum's case is a heap box per value). Not a static: a process-wide box held through the enum's
    /// tagged pointer reads as a leak to the leak checker of the fuzz targets.
    func checkCondition(_ condition: String?, absent: Expression, issues: inout [PipelineIssue]) -> Expression {
        guard let condition else { return absent }
        let path = Self.path(taskID, .key("if"))
        do {
            let expression = try ExpressionParser.parse(Plan.stripDelimiters(condition).text)
            check(expression, offset: Plan.stripDelimiters(condition).offset, path: { path }, issues: &issues)
            return expression.callsStatusFunction ? expression : .binary(.and, .call(.success), expression)
        } catch {
            issues.append(PipelineIssue(error.message, at: path, offset: Plan.stripDelimiters(condition).offset + error.offset))
            return .call(.success)
        }
    }

    func checkAction(
        _ action: TaskAction, env: [String: String], workdir: String?, issues: inout [PipelineIssue],
        knownKinds: Set<String>?
    ) {
        // The paths are built only for an issue; their closures hold the task's id, not a copy of the checker.
        let taskID = taskID
        switch action {
        case .run(let argv):
            for (position, argument) in argv.enumerated() {
                checkTemplate(argument, path: { Self.path(taskID, .key("run"), .index(position)) }, issues: &issues)
            }
        case .shell(let script):
            checkTemplate(script, path: { Self.path(taskID, .key("shell")) }, issues: &issues)
        case .uses(let kind, let inputs):
            if let knownKinds, !knownKinds.contains(kind) {
                issues.append(
                    PipelineIssue(
                        "unknown task kind '\(kind)'\(Suggestion.hint(for: kind, in: knownKinds)); known kinds: \(knownKinds.sorted().joined(separator: ", "))",
                        at: Self.path(taskID, .key("uses"))))
            }
            checkValue(.object(inputs), path: { Self.path(taskID, .key("with")) }, issues: &issues)
            checkDurations(kind: kind, inputs: inputs, issues: &issues)
        }
        for (key, value) in env.isEmpty ? [] : env.sorted(by: { $0.key < $1.key }) {
            checkTemplate(value, path: { Self.path(taskID, .key("env"), .key(key)) }, issues: &issues)
        }
        if let workdir { checkTemplate(workdir, path: { Self.path(taskID, .key("workdir")) }, issues: &issues) }
    }

    /// The duration inputs the deployment kinds read when they run (`approve`'s `timeout`, `deploy`'s
    /// `approval_timeout`), checked now when written as literal text, so a bad one is an error at its line.
    private func checkDurations(kind: String, inputs: [String: JSONValue], issues: inout [PipelineIssue]) {
        let key: String
        switch kind {
        case "approve": key = "timeout"
        case "deploy": key = "approval_timeout"
        default: return
        }
        guard case .string(let text) = inputs[key], !text.containsTemplateMarker else { return }
        do {
            _ = try DurationText.parse(text)
        } catch {
            issues.append(PipelineIssue("\(key): \(error)", at: Self.path(taskID, .key("with"), .key(key))))
        }
    }

    /// Checks the templates in `value`. `path` builds where it is: only an issue needs one (most values have none).
    private func checkValue(_ value: JSONValue, path: () -> IssuePath, issues: inout [PipelineIssue]) {
        switch value {
        case .string(let text): checkTemplate(text, path: path, issues: &issues)
        case .array(let values):
            for (position, element) in values.enumerated() where Self.mayHoldTemplate(element) {
                checkValue(element, path: { path() + [.index(position)] }, issues: &issues)
            }
        case .object(let members):
            // Only members that may hold a template are looked into, in key order (issues in key order).
            var held: [(key: String, value: JSONValue)] = []
            for member in members where Self.mayHoldTemplate(member.value) { held.append(member) }
            if held.count > 1 { held.sort { $0.key < $1.key } }
            for member in held { checkValue(member.value, path: { path() + [.key(member.key)] }, issues: &issues) }
        case .null, .bool, .number: break
        }
    }

    /// Whether `value` is a list, a mapping, or text holding a `${{` marker: what ``checkValue(_:path:issues:)``
    /// looks into.
    private static func mayHoldTemplate(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.containsTemplateMarker
        case .array, .object: true
        case .null, .bool, .number: false
        }
    }

    private func checkTemplate(_ text: String, path: () -> IssuePath, issues: inout [PipelineIssue]) {
        guard text.containsTemplateMarker else { return }  // plain text: nothing to parse or check
        do {
            let template = try templates.template(text)
            for segment in template.segments {
                guard case .expression(let expression, let offset) = segment else { continue }
                if expression.callsStatusFunction {
                    issues.append(PipelineIssue("status functions (success(), failure(), always()) belong in 'if:' only", at: path(), offset: offset))
                }
                check(expression, offset: offset, path: path, issues: &issues)
            }
        } catch {
            issues.append(PipelineIssue(error.message, at: path(), offset: error.offset))
        }
    }

    private func check(_ expression: Expression, offset: Int, path: () -> IssuePath, issues: inout [PipelineIssue]) {
        for reference in expression.references {
            if let problem = problem(with: reference) {
                issues.append(PipelineIssue(problem, at: path(), offset: offset))
            }
        }
    }

    private func problem(with reference: [String]) -> String? {
        var text: String { reference.joined(separator: ".") }
        switch reference[0] {
        case "params":
            guard reference.count >= 2 else { return "'params' needs a name: params.NAME" }
            if params[reference[1]] == nil {
                return "unknown param '\(reference[1])'\(Suggestion.hint(for: reference[1], in: params.keys)); declare it under 'params:'"
            }
            return nil
        case "env":
            return reference.count == 2 ? nil : "environment references are env.NAME"
        case "tasks":
            guard reference.count >= 3, reference[2] == "outputs" else {
                return "'\(text)' is not a task reference; write tasks.ID.outputs.KEY"
            }
            let id = reference[1]
            guard let position = index[id] else {
                return "unknown task '\(id)'\(Suggestion.hint(for: id, in: index.keys))"
            }
            if id == taskID { return "a task cannot read its own outputs" }
            if upstream[position / 64] & (1 << UInt64(position % 64)) == 0 {
                return "task '\(id)' is not upstream of '\(taskID)'; add it (or a task after it) to needs"
            }
            return nil
        default:
            return "unknown reference '\(text)'\(Suggestion.hint(for: reference[0], in: ["params", "tasks", "env"])); references start with params., tasks. or env."
        }
    }
}

extension Plan {
    /// Removes `${{ }}` around a whole-condition expression; returns the inner text and its offset in `condition`.
    static func stripDelimiters(_ condition: String) -> (text: String, offset: Int) {
        let trimmed = condition.trimmingSpaces
        guard trimmed.hasPrefix("${{"), trimmed.hasSuffix("}}"), trimmed.count >= 5 else { return (condition, 0) }
        let leading = condition.prefix { $0.isWhitespace }.count
        return (String(trimmed.dropFirst(3).dropLast(2)), leading + 3)
    }
}

/// Parsed templates by their text, for the checks of one plan.
final class TemplateParses {
    private var parsed: [String: Result<Template, ExpressionError>] = [:]

    /// The parsed form of `text`, or the error parsing it gives.
    func template(_ text: String) throws(ExpressionError) -> Template {
        if let known = parsed[text] { return try known.get() }
        let result: Result<Template, ExpressionError>
        do {
            result = .success(try Template(text))
        } catch {
            result = .failure(error)
        }
        parsed[text] = result
        return try result.get()
    }

    /// The templates that parsed, by their text.
    var successes: [String: Template] {
        parsed.compactMapValues { try? $0.get() }
    }
}

import Foundation
import PipelineFile
import PipelineModel

/// Reads one test file's located YAML into cases, collecting every problem with its position.
struct TestFileReader {
    let path: String
    let plan: Plan
    private(set) var diagnostics: [PipelineFileError.Diagnostic] = []

    static let topLevelKeys = ["pipeline", "cases"]
    static let caseKeys = ["task", "to", "description", "params", "upstream", "with", "expect"]
    static let expectKeys = [
        "tolerance", "state", "fails", "outputs", "dataset", "rows", "columns", "values", "scores",
    ]
    static let tableKeys: Set<String> = ["columns", "rows", "repeat"]

    init(path: String, plan: Plan) {
        self.path = path
        self.plan = plan
    }

    private var folder: String { URL(fileURLWithPath: path).deletingLastPathComponent().path }

    mutating func read(_ root: LocatedYAML?) -> [PipelineTestCase] {
        guard let root else {
            report(line: 1, column: 1, "the test file is empty; declare cases under 'cases:' (see docs/testing.md)")
            return []
        }
        guard case .mapping(let entries) = root.value else {
            report(root, "a test file is a mapping with 'cases:', not \(root.kindDescription)")
            return []
        }
        var casesNode: LocatedYAML?
        for entry in entries {
            switch entry.key {
            case "pipeline":
                if case .scalar(.string(let name)) = entry.value.value {
                    if name != plan.pipeline.name {
                        report(entry.value, "this file tests pipeline '\(name)', but the pipeline is '\(plan.pipeline.name)'")
                    }
                } else {
                    report(entry.value, "pipeline must be the pipeline's name as text")
                }
            case "cases": casesNode = entry.value
            default: unknownKey(entry, place: "at the top level", known: Self.topLevelKeys)
            }
        }
        guard let casesNode else {
            report(root, "missing required key 'cases'; add the cases as a mapping of name → case")
            return []
        }
        guard case .mapping(let caseEntries) = casesNode.value else {
            report(casesNode, "cases must be a mapping of case name → case, not \(casesNode.kindDescription)")
            return []
        }
        return caseEntries.compactMap { readCase($0) }
    }

    // MARK: Cases

    private mutating func readCase(_ entry: LocatedYAML.Entry) -> PipelineTestCase? {
        let name = entry.key
        guard case .mapping(let fields) = entry.value.value else {
            report(entry.value, "case '\(name)' must be a mapping with task: and expect:, not \(entry.value.kindDescription)")
            return nil
        }
        var byKey: [String: LocatedYAML.Entry] = [:]
        for field in fields {
            if Self.caseKeys.contains(field.key) { byKey[field.key] = field } else {
                unknownKey(field, place: "in case '\(name)'", known: Self.caseKeys)
            }
        }
        guard let taskEntry = byKey["task"] else {
            report(line: entry.keyLine, column: entry.keyColumn, "case '\(name)' needs 'task:', the id of the task to run")
            return nil
        }
        guard let task = taskID(taskEntry.value, what: "task") else { return nil }
        var to: String?
        if let toEntry = byKey["to"] {
            to = taskID(toEntry.value, what: "to")
            if let end = to, end != task, let first = plan.index[task], let last = plan.index[end],
                !plan.isUpstream(first, of: last)
            {
                report(toEntry.value, "task '\(end)' is not downstream of '\(task)'; 'to:' names the last task of a "
                    + "sub-graph that starts at 'task:'")
                to = nil
            }
        }
        let tested = CasePipeline.selection(plan: plan, from: task, to: to)
        var params: [String: JSONValue] = [:]
        if let entry = byKey["params"] {
            if case .mapping(let members) = entry.value.value {
                for member in members {
                    if plan.pipeline.params[member.key] == nil {
                        let known = plan.pipeline.params.keys.sorted()
                        report(line: member.keyLine, column: member.keyColumn,
                            "unknown param '\(member.key)'\(Suggestion.hint(for: member.key, in: known)); the pipeline "
                                + "declares: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
                    }
                    params[member.key] = member.value.json
                }
            } else {
                report(entry.value, "params must be a mapping of param name → value")
            }
        }
        var upstream: [String: [String: TestValue]] = [:]
        if let entry = byKey["upstream"] {
            if case .mapping(let tasks) = entry.value.value {
                let ancestors = CasePipeline.ancestors(of: tested, plan: plan)
                for member in tasks {
                    if !ancestors.contains(member.key) {
                        let message = plan.index[member.key] == nil
                            ? "unknown task '\(member.key)'\(Suggestion.hint(for: member.key, in: plan.pipeline.tasks.map(\.id)))"
                            : "task '\(member.key)' is not upstream of the tested tasks; upstream are: "
                                + (ancestors.isEmpty ? "none" : ancestors.sorted().joined(separator: ", "))
                        report(line: member.keyLine, column: member.keyColumn, message)
                        continue
                    }
                    guard case .mapping(let outputs) = member.value.value else {
                        report(member.value, "the outputs of '\(member.key)' must be a mapping of output key → value")
                        continue
                    }
                    var values: [String: TestValue] = [:]
                    for output in outputs { values[output.key] = value(output.value) }
                    upstream[member.key] = values
                }
            } else {
                report(entry.value, "upstream must be a mapping of task id → its outputs")
            }
        }
        var with: [String: TestValue] = [:]
        if let entry = byKey["with"] {
            if case .mapping(let members) = entry.value.value {
                if case .uses = plan.pipeline.task(task)?.action {} else {
                    report(entry.value, "task '\(task)' is a command: 'with:' overrides the inputs of a uses: task only")
                }
                for member in members { with[member.key] = value(member.value) }
            } else {
                report(entry.value, "with must be a mapping of input name → value")
            }
        }
        guard let expectEntry = byKey["expect"] else {
            report(line: entry.keyLine, column: entry.keyColumn,
                "case '\(name)' needs 'expect:', what must hold (e.g. expect: { outputs: { rows: 2 } })")
            return nil
        }
        guard let expect = expectation(expectEntry.value) else { return nil }
        return PipelineTestCase(
            name: name, file: path, line: entry.keyLine, task: task, to: to, params: params, upstream: upstream,
            with: with, expect: expect)
    }

    private mutating func taskID(_ node: LocatedYAML, what: String) -> String? {
        guard case .scalar(.string(let id)) = node.value else {
            report(node, "\(what) must be a task id, not \(node.kindDescription)")
            return nil
        }
        guard plan.index[id] != nil else {
            let ids = plan.pipeline.tasks.map(\.id)
            report(node, "unknown task '\(id)'\(Suggestion.hint(for: id, in: ids)); the pipeline's tasks: "
                + ids.joined(separator: ", "))
            return nil
        }
        return id
    }

    // MARK: Expectations

    private mutating func expectation(_ node: LocatedYAML) -> TestExpectation? {
        guard case .mapping(let entries) = node.value else {
            report(node, "expect must be a mapping of checks (outputs, rows, columns, values, scores, fails, state)")
            return nil
        }
        var expect = TestExpectation()
        for entry in entries {
            let value = entry.value
            switch entry.key {
            case "tolerance":
                if let number = value.json.numberValue, number >= 0 { expect.tolerance = number } else {
                    report(value, "tolerance must be a number ≥ 0, e.g. tolerance: 1e-6")
                }
            case "state":
                if case .scalar(.string(let text)) = value.value, let state = TaskState(rawValue: text) {
                    expect.state = state
                } else {
                    report(value, "state must be one of: succeeded, failed, skipped, cached, waiting")
                }
            case "fails":
                if case .scalar(.string(let text)) = value.value { expect.fails = text } else {
                    report(value, "fails must be text the failure message contains, e.g. fails: null cells")
                }
            case "outputs":
                if case .mapping(let members) = value.value {
                    for member in members { expect.outputs[member.key] = member.value.json }
                } else {
                    report(value, "outputs must be a mapping of output key → expected value")
                }
            case "dataset":
                if case .scalar(.string(let text)) = value.value { expect.dataset = text } else {
                    report(value, "dataset must be the output key of a dataset, e.g. dataset: test")
                }
            case "rows":
                if let number = value.json.intValue, number >= 0 { expect.rows = number } else {
                    report(value, "rows must be a whole number ≥ 0")
                }
            case "columns": readColumns(value, into: &expect)
            case "values":
                if case .mapping(let members) = value.value {
                    for member in members {
                        guard case .sequence(let items) = member.value.value else {
                            report(member.value, "the values of '\(member.key)' must be a list, one per row")
                            continue
                        }
                        expect.values.append(.init(column: member.key, values: items.map(\.json)))
                    }
                } else {
                    report(value, "values must be a mapping of column → list of values, e.g. values: { ratio: [20.0] }")
                }
            case "scores": expect.scores = scores(value)
            default: unknownKey(entry, place: "in expect", known: Self.expectKeys)
            }
        }
        if expect.fails != nil, let state = expect.state, state != .failed {
            report(node, "fails: asks the task to fail, but state: says \(state.rawValue); keep one of them")
        }
        return expect
    }

    private mutating func readColumns(_ node: LocatedYAML, into expect: inout TestExpectation) {
        func names(_ node: LocatedYAML) -> [String]? {
            guard case .sequence(let items) = node.value else { return nil }
            let texts = items.compactMap { item -> String? in
                if case .scalar(.string(let text)) = item.value { return text }
                return nil
            }
            return texts.count == items.count ? texts : nil
        }
        if let list = names(node) {
            expect.present = list
            return
        }
        guard case .mapping(let members) = node.value else {
            report(node, "columns must be a list of names, or { present: [...], absent: [...] }")
            return
        }
        for member in members {
            guard let list = names(member.value) else {
                report(member.value, "\(member.key) must be a list of column names")
                continue
            }
            switch member.key {
            case "present": expect.present = list
            case "absent": expect.absent = list
            default: unknownKey(member, place: "in columns", known: ["present", "absent"])
            }
        }
    }

    private mutating func scores(_ node: LocatedYAML) -> TestExpectation.Scores? {
        guard case .mapping(let members) = node.value else {
            report(node, "scores must be a mapping: { data: <table or csv>, model: model, min: 0, max: 1 }")
            return nil
        }
        var model = "model"
        var data: TestValue?
        var low = 0.0
        var high = 1.0
        for member in members {
            switch member.key {
            case "model":
                if case .scalar(.string(let text)) = member.value.value { model = text } else {
                    report(member.value, "model must be the output key of the model, e.g. model: model")
                }
            case "data": data = value(member.value)
            case "min", "max":
                guard let number = member.value.json.numberValue else {
                    report(member.value, "\(member.key) must be a number")
                    continue
                }
                if member.key == "min" { low = number } else { high = number }
            default: unknownKey(member, place: "in scores", known: ["model", "data", "min", "max"])
            }
        }
        guard let data else {
            report(node, "scores needs data:, the rows to score (an inline table or { csv: file })")
            return nil
        }
        return .init(model: model, data: data, min: low, max: high)
    }

    // MARK: Values

    /// A table (`columns` + `rows`, optionally `repeat`), a CSV fixture (`csv: file`), `literal: value`, or a literal.
    private mutating func value(_ node: LocatedYAML) -> TestValue {
        guard case .mapping(let members) = node.value else { return .literal(node.json) }
        let keys = Set(members.map(\.key))
        if keys == ["csv"], let member = members.first {
            guard case .scalar(.string(let file)) = member.value.value else {
                report(member.value, "csv must be the path of a CSV file, relative to the test file")
                return .literal(.null)
            }
            let absolute = file.hasPrefix("/") ? file : URL(fileURLWithPath: folder).appendingPathComponent(file).path
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) || isDirectory.boolValue {
                report(member.value, "no CSV file '\(file)' (looked at \(absolute)); fixture paths are relative to the test file")
            }
            return .csv(absolute)
        }
        if keys == ["literal"], let member = members.first { return .literal(member.value.json) }
        if keys.contains("columns"), keys.contains("rows"), keys.isSubset(of: Self.tableKeys) {
            return table(members).map(TestValue.table) ?? .literal(.null)
        }
        return .literal(node.json)
    }

    private mutating func table(_ members: [LocatedYAML.Entry]) -> TestTable? {
        var columns: [String] = []
        var rows: [[JSONValue]] = []
        var times = 1
        var valid = true
        for member in members {
            switch member.key {
            case "columns":
                guard case .sequence(let items) = member.value.value,
                    case let names = items.compactMap({ item -> String? in
                        if case .scalar(.string(let text)) = item.value { return text }
                        return nil
                    }), names.count == items.count, !names.isEmpty
                else {
                    report(member.value, "columns must be a list of column names")
                    valid = false
                    continue
                }
                if Set(names).count != names.count {
                    report(member.value, "a column name appears twice in columns")
                    valid = false
                }
                columns = names
            case "rows":
                guard case .sequence(let items) = member.value.value else {
                    report(member.value, "rows must be a list of rows, each a list of values: rows: [[100, 5], [200, 10]]")
                    valid = false
                    continue
                }
                for item in items {
                    guard case .sequence(let cells) = item.value, cells.allSatisfy({
                        if case .scalar = $0.value { return true }
                        return false
                    }) else {
                        report(item, "each row must be a list of plain values (numbers, text, true/false, null)")
                        valid = false
                        continue
                    }
                    rows.append(cells.map(\.json))
                }
            case "repeat":
                guard let count = member.value.json.intValue, count >= 1, count <= 1_000_000 else {
                    report(member.value, "repeat must be a whole number from 1 to 1000000 (how many times the rows repeat)")
                    valid = false
                    continue
                }
                times = count
            default: break
            }
        }
        guard valid else { return nil }
        let rowsNode = members.first { $0.key == "rows" }!.value
        if case .sequence(let items) = rowsNode.value {
            for (row, item) in zip(rows, items) where row.count != columns.count {
                report(item, "this row has \(row.count) value\(row.count == 1 ? "" : "s") but there are \(columns.count) columns")
                valid = false
            }
        }
        let table = TestTable(columns: columns, rows: Array(repeating: rows, count: times).flatMap { $0 })
        if valid, let problem = TableFrames.typeProblem(table) {
            report(rowsNode, problem)
            valid = false
        }
        return valid ? table : nil
    }

    // MARK: Reporting

    private mutating func unknownKey(_ entry: LocatedYAML.Entry, place: String, known: [String]) {
        report(line: entry.keyLine, column: entry.keyColumn,
            "unknown key '\(entry.key)' \(place)\(Suggestion.hint(for: entry.key, in: known)); known keys: "
                + known.joined(separator: ", "))
    }

    private mutating func report(_ node: LocatedYAML, _ message: String) {
        report(line: node.line, column: node.column, message)
    }

    private mutating func report(line: Int, column: Int, _ message: String) {
        diagnostics.append(.init(path: path, line: line, column: column, message: message))
    }
}

import ArgumentParser
import Foundation
import PipelineModel

/// `kiln graph FILE`: the DAG as Mermaid or Graphviz text. Synchronous: it runs on the main thread (see ``Kiln``).
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", _superCommandName: "kiln",
        abstract: "Print a pipeline's DAG as Mermaid or Graphviz dot.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot
    }

    @Argument(help: ArgumentHelp("The pipeline file.", valueName: "file"))
    var file: String

    @Option(help: "Output format: mermaid or dot.")
    var format: Format = .mermaid

    func run() throws {
        Terminal.out(Self.render(try Execution.loadPlan(file), format: format))
    }

    static func render(_ plan: Plan, format: Format) -> String {
        let tasks = plan.pipeline.tasks
        func label(_ task: TaskSpec) -> String {
            var text = "\(task.id)\\n\(task.action.kindLabel)"
            if task.condition != nil { text += " (if)" }
            return text
        }
        switch format {
        case .mermaid:
            var lines = ["flowchart LR"]
            func node(_ id: String) -> String { "t\(plan.index[id] ?? 0)" }
            for task in tasks { lines.append("  \(node(task.id))[\"\(label(task).replacingOccurrences(of: "\\n", with: "<br/>").replacingOccurrences(of: "\"", with: "'"))\"]") }
            for task in tasks {
                for need in task.needs { lines.append("  \(node(need)) --> \(node(task.id))") }
            }
            return lines.joined(separator: "\n")
        case .dot:
            var lines = ["digraph \"\(plan.pipeline.name)\" {", "  rankdir=LR;", "  node [shape=box];"]
            for task in tasks { lines.append("  \"\(task.id)\" [label=\"\(label(task))\"];") }
            for task in tasks {
                for need in task.needs { lines.append("  \"\(need)\" -> \"\(task.id)\";") }
            }
            lines.append("}")
            return lines.joined(separator: "\n")
        }
    }
}

// A pipeline written in Swift: closures as tasks, run by the same engine and stored in the same
// embedded database as `kiln run` uses, so `kiln runs`, `kiln show` and `kiln logs` see it.
//
//   swift run kiln-example-swift            # then: swift run kiln runs
import Foundation
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite
import CommandTasks

var builder = PipelineBuilder(name: "swift-example", params: ["min_f1": 0.8], kinds: .builtIn)

builder.task("extract", retry: RetryPolicy(retries: 2, delay: .seconds(1))) { context in
    context.log("reading 5,000 rows")
    return ["rows": 5000]
}
for group in ["recency", "frequency", "monetary"] {
    builder.task("features-\(group)", needs: ["extract"], with: ["rows": "${{ tasks.extract.outputs.rows }}"]) { context in
        ["columns": 4, "rows": context.inputs["rows"] ?? .null]
    }
}
builder.task("train", needs: ["features-recency", "features-frequency", "features-monetary"]) { context in
    context.log("training on 12 feature columns")
    return ["f1": 0.87]
}
builder.add(TaskSpec(
    id: "report", needs: ["train"], condition: "tasks.train.outputs.f1 > params.min_f1",
    action: .run(["echo", "model is good enough: f1=${{ tasks.train.outputs.f1 }}"])))
builder.add(TaskSpec(id: "alert", needs: ["report"], condition: "failure()", action: .shell("echo 'pipeline failed' >&2")))

let home = ProcessInfo.processInfo.environment["KILN_HOME"] ?? FileManager.default.currentDirectoryPath + "/.kiln"
let store = try SQLiteStateStore(path: SQLiteStateStore.defaultPath(home: home))

/// Prints each task as it finishes.
struct PrintEvents: RunEventSink {
    func receive(_ event: RunEvent) {
        switch event {
        case .taskChanged(_, let task) where task.state.isTerminal: print("\(task.taskID): \(task.state.rawValue)")
        case .log(let line): print("\(line.taskID) | \(line.text)")
        default: break
        }
    }
}

let executor = PipelineExecutor(store: store, kinds: builder.kinds, events: PrintEvents())
let run = try await executor.run(try builder.plan(), baseDirectory: FileManager.default.currentDirectoryPath)
print("run \(run.id) \(run.state.rawValue)")
exit(run.state == .succeeded ? 0 : 1)

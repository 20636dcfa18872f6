import Foundation
import PipelineEngine
import PipelineModel
import PipelineStoreSQLite
import CommandTasks

/// `kiln-bench`: engine overhead on no-op workloads with the durable SQLite store. Prints figures, asserts nothing.
///
/// Usage: `swift run -c release kiln-bench [--repeats N] [--parallelism N] [--width N] [--chain N]`
@main
struct Bench {
    struct Options {
        var repeats = 5
        var parallelism: Int?
        var width = 1000
        var chain = 200
    }

    static func main() async throws {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            func value() -> Int {
                guard let text = arguments.next(), let number = Int(text), number > 0 else {
                    FileHandle.standardError.write(Data("kiln-bench: \(argument) needs a positive number\n".utf8))
                    exit(2)
                }
                return number
            }
            switch argument {
            case "--repeats": options.repeats = value()
            case "--parallelism": options.parallelism = value()
            case "--width": options.width = value()
            case "--chain": options.chain = value()
            default:
                print("usage: kiln-bench [--repeats N] [--parallelism N] [--width N] [--chain N]")
                exit(argument == "--help" || argument == "-h" ? 0 : 2)
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStateStore(path: directory + "/kiln.db")
        let executor = PipelineExecutor(
            store: store, kinds: .builtIn, configuration: .init(parallelism: options.parallelism))
        print("kiln-bench: no-op tasks, durable SQLite store (WAL) at \(directory), parallelism \(executor.configuration.parallelism), \(options.repeats) repeats; median [min–max]")
        print("workload                              tasks   wall ms               µs/task")

        try await measure("W1 seed DAG", options, executor: executor, plan: try Plan(Workloads.seed()))
        try await measure("W2 wide 1+\(options.width)+1", options, executor: executor, plan: try Plan(Workloads.wide(width: options.width)))
        try await measure("W3 chain \(options.chain)", options, executor: executor, plan: try Plan(Workloads.chain(length: options.chain)))
        let cached = try Plan(Workloads.seed(cache: true))
        _ = try await executor.run(cached, baseDirectory: directory)  // fills the cache
        try await measure("W4 seed DAG, all cache hits", options, executor: executor, plan: cached, expect: .cached)
        try await measure("W5 fail twice, retry (0 delay)", options, executor: executor, plan: try Plan(Workloads.retry()))
    }

    static func measure(_ name: String, _ options: Options, executor: PipelineExecutor, plan: Plan, expect: TaskState? = nil) async throws {
        _ = try await executor.run(plan, baseDirectory: "/tmp")  // warm-up
        var walls: [Double] = []
        var executed = 0
        for _ in 0..<options.repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            let run = try await executor.run(plan, baseDirectory: "/tmp")
            walls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            guard run.state == .succeeded else {
                print("\(name): run \(run.id) ended \(run.state.rawValue): \(run.error ?? "")")
                exit(1)
            }
            if let expect {
                let tasks = try await executor.store.tasks(of: run.id)
                let hits = tasks.filter { $0.state == expect }.count
                guard hits > 0 else {
                    print("\(name): expected \(expect.rawValue) tasks, found none")
                    exit(1)
                }
            }
            executed = plan.pipeline.tasks.count
        }
        walls.sort()
        let median = walls[walls.count / 2]
        let cell = String(format: "%.2f [%.2f–%.2f]", median, walls.first!, walls.last!)
        let perTask = median * 1000 / Double(executed)
        print(name.padding(toLength: 38, withPad: " ", startingAt: 0)
              + String(executed).padding(toLength: 8, withPad: " ", startingAt: 0)
              + cell.padding(toLength: 22, withPad: " ", startingAt: 0)
              + String(format: "%.1f", perTask))
    }
}


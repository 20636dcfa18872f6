import Foundation

/// `kiln-ml-bench` — benchmarks for Kiln's ML modules (prints figures; not tests).
///
///     kiln-ml-bench accuracy [--data DIR] [--splits DIR] [--threads N] [--max-bin N] [--split-count N] [--json]
///     kiln-ml-bench big [--synth DIR | --bin FILE] [--test-bin FILE] [--threads N] [--model gbdt|logreg] [--json]
///     kiln-ml-bench drift [--synth DIR | --ref FILE --cur FILE] [--json]
///     kiln-ml-bench csv --file FILE [--reps N] [--json]
///
/// Defaults: `--data` is `$KILN_SHARED/data`, else `<repository>/../shared/data` (the repository is found by
/// walking up from the executable, then from the working directory, to a `Package.swift`); `--splits` is
/// `$TMPDIR/kiln-ml-splits` (written by benchmarks/ml/export_splits.py); `--synth` is `$TMPDIR/kiln-mlbench`
/// (written by benchmarks/ml/export_synth.py). With `--json` the human-readable lines go to standard error
/// and standard output gets one JSON object with the figures (benchmarks/ml/run.sh reads it).
let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String, default value: String) -> String {
    if let i = arguments.firstIndex(of: name), i + 1 < arguments.count { return arguments[i + 1] }
    return value
}

let output = BenchOutput(json: arguments.contains("--json"))
let temporary = (ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
let synth = option("--synth", default: "\(temporary)/kiln-mlbench")

do {
    let result: [String: Any]
    switch arguments.first {
    case "accuracy":
        result = try AccuracyBench.run(data: option("--data", default: BenchPaths.defaultDataDirectory()),
                                       splits: option("--splits", default: "\(temporary)/kiln-ml-splits"),
                                       threads: Int(option("--threads", default: "2")) ?? 2,
                                       maxBin: Int(option("--max-bin", default: "256")) ?? 256,
                                       splitCount: Int(option("--split-count", default: "0")) ?? 0, output: output)
    case "big":
        result = try BigBench.run(path: option("--bin", default: "\(synth)/synth_ref.bin"),
                                  testPath: option("--test-bin", default: "\(synth)/synth_test.bin"),
                                  threads: Int(option("--threads", default: "2")) ?? 2,
                                  model: option("--model", default: "gbdt"), output: output)
    case "drift":
        result = try DriftBench.run(reference: option("--ref", default: "\(synth)/synth_ref.bin"),
                                    current: option("--cur", default: "\(synth)/synth_cur.bin"), output: output)
    case "csv":
        result = try CSVBench.run(path: option("--file", default: "\(temporary)/kiln-mlbench/transactions.csv"),
                                  reps: Int(option("--reps", default: "5")) ?? 5, output: output)
    default:
        print("usage: kiln-ml-bench accuracy|big|drift|csv [options] [--json]  (see Sources/kiln-ml-bench/main.swift)")
        exit(arguments.isEmpty || arguments.first == "--help" || arguments.first == "-h" ? 0 : 2)
    }
    output.finish(result)
} catch {
    FileHandle.standardError.write("kiln-ml-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}

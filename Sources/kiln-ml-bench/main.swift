import Foundation

/// `ml-bench` — benchmarks for Kiln's ML modules (prints figures; not tests).
///
///     ml-bench accuracy [--data DIR] [--splits DIR] [--threads N] [--max-bin N]
///     ml-bench big --bin FILE [--threads N] [--test-bin FILE] [--model gbdt|logreg]
///     ml-bench drift --ref FILE --cur FILE
let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String, default value: String) -> String {
    if let i = arguments.firstIndex(of: name), i + 1 < arguments.count { return arguments[i + 1] }
    return value
}

do {
    switch arguments.first {
    case "accuracy":
        try AccuracyBench.run(data: option("--data", default: "/work/shared/data"),
                              splits: option("--splits", default: "/tmp/kiln-ml-splits"),
                              threads: Int(option("--threads", default: "2")) ?? 2,
                              maxBin: Int(option("--max-bin", default: "256")) ?? 256)
    case "big":
        try BigBench.run(path: option("--bin", default: "/tmp/mlbench/out/synth_ref.bin"),
                         testPath: option("--test-bin", default: ""),
                         threads: Int(option("--threads", default: "2")) ?? 2,
                         model: option("--model", default: "gbdt"))
    case "drift":
        try DriftBench.run(reference: option("--ref", default: "/tmp/mlbench/out/synth_ref.bin"),
                           current: option("--cur", default: "/tmp/mlbench/out/synth_cur.bin"))
    default:
        print("usage: ml-bench accuracy|big|drift [options]  (see Sources/ml-bench/main.swift)")
    }
} catch {
    FileHandle.standardError.write("ml-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}

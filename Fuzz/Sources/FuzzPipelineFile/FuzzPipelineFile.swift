import FuzzSupport
@_spi(Testing) import PipelineFile
import PipelineModel

/// The kind names `kiln validate` checks `uses:` against (docs/task-kinds.md), so the did-you-mean path runs too.
private let knownKinds: Set<String> = [
    "noop", "fail", "command", "extract-csv", "extract-sql", "validate", "features", "merge", "split", "train",
    "evaluate", "predict", "drift", "register", "promote", "deploy",
]

/// One input: a pipeline file's bytes, read as `kiln validate` reads them (YAML → pipeline → checked plan), and as
/// an ML config file (``YAMLValues``), which shares the reader's limits.
///
/// Any outcome is fine except a crash, a hang or a leak; an error must render as text. The block composer must
/// compose the text as libyaml does, or leave it to libyaml.
func fuzzPipelineFile(_ bytes: UnsafeRawBufferPointer) {
    guard let text = String(validating: bytes, as: UTF8.self) else { return }  // the reader refuses non-UTF-8 first
    if case .different(let difference) = YAMLComposerCheck.compare(text) {
        preconditionFailure("the block composer and libyaml disagree: \(difference)")
    }
    do {
        let plan = try PipelineFile.planFrom(text: text, path: "fuzz.yaml", knownKinds: knownKinds)
        _ = plan.pipeline.tasks.count
    } catch {
        precondition(!error.description.isEmpty, "a pipeline-file error rendered as empty text")
    }
    do {
        _ = try YAMLValues.parse(text)
    } catch {
        precondition(!"\(error)".isEmpty, "a YAML config error rendered as empty text")
    }
}

/// libFuzzer's name for the function under test (its runtime refers to it even when `main` below runs the driver).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzPipelineFile(fuzzInput(data, count))
    return 0
}

@main
enum FuzzPipelineFileMain {
    static func main() { runFuzzer(fuzzerTestOneInput) }
}

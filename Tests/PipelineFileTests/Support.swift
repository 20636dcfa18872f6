import PipelineFile
import PipelineModel

/// The diagnostics `parse` (or `planFrom`, when `plan` is set) reports for `yaml`; empty when it succeeds.
func diagnostics(_ yaml: String, plan: Bool = false, knownKinds: Set<String>? = nil) -> [PipelineFileError.Diagnostic] {
    do {
        if plan {
            _ = try PipelineFile.planFrom(text: yaml, path: "pipeline.yaml", knownKinds: knownKinds)
        } else {
            _ = try PipelineFile.parse(yaml, path: "pipeline.yaml")
        }
        return []
    } catch {
        return error.diagnostics
    }
}

/// `line:column: message` for each diagnostic, to compare in one `#expect`.
func located(_ diagnostics: [PipelineFileError.Diagnostic]) -> [String] {
    diagnostics.map { "\($0.line):\($0.column): \($0.message)" }
}

import ArgumentParser
import Foundation
import ModelRegistry
import MLTasks
import PipelineEngine
import PipelineModel
import Tabular

/// `kiln predict MODEL@ALIAS FILE [--output PATH] [--json]`: scores a CSV offline with a registered version.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", _superCommandName: "kiln",
        abstract: "Score a dataset with a registered model version (offline).",
        discussion: """
            MODEL@ALIAS (e.g. fraud-detection@production) or MODEL@N picks the version. Feature columns the rows \
            lack are recomputed with the fitted transforms of the run that registered it. The output has the input \
            columns plus `score` (probability of class 1) and `prediction` (1 when score ≥ the threshold: \
            --threshold, else the version's `threshold` metric, else 0.5). With --output the CSV is written \
            atomically (temporary file, then rename); without it the CSV goes to stdout. A column the model needs \
            that is missing or mistyped is named, exit 2.
            """)

    @Argument(help: ArgumentHelp("The version: MODEL@ALIAS or MODEL@VERSION.", valueName: "model"))
    var model: String

    @Argument(help: ArgumentHelp("The rows to score: a CSV file, folder of CSVs, glob or binary frame.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Write the scored CSV here (atomically) instead of stdout.", valueName: "path"))
    var output: String?

    @Option(help: "Decision threshold for `prediction` (default: the version's `threshold` metric, else 0.5).")
    var threshold: Double?

    @Flag(help: "Print a JSON summary (version, rows, threshold, output) instead of text; with no --output it holds the scores and predictions.")
    var json = false

    @OptionGroup var home: HomeOptions

    func validate() throws {
        if let threshold, !(threshold.isFinite && threshold >= 0 && threshold <= 1) {
            throw ValidationError("--threshold must be a number from 0 to 1, got \(threshold)")
        }
    }

    func run() async throws {
        try await reportingRegistryErrors {
            let reference: ModelReference
            do {
                reference = try ModelReference(parsing: model)
            } catch {
                throw usageError("\(model): \(error); write MODEL@ALIAS (fraud-detection@production) or MODEL@VERSION")
            }
            let stores = try await home.openStores()
            let version = try await ModelRegistryService(store: stores.registry).resolve(reference)
            let modelFile: ModelFile
            do {
                modelFile = try ModelFile.load(path: try await home.artifactStore.localPath(for: version.artifact))
            } catch {
                throw CLIError("\(version.reference): cannot load its model file \(version.artifact): \(error)", exitCode: 1)
            }
            let input = try DatasetArguments.read(file)
            let frame = try await LineageFeatures.complete(
                input, for: version, model: modelFile, runs: stores.state, artifacts: try home.artifactStore)
            let cut = threshold ?? version.metrics["threshold"] ?? 0.5
            var scored = input  // the input columns, then score and prediction
            do {
                let result = try Predictions.score(frame, with: modelFile, threshold: cut)
                for name in ["score", "prediction"] {
                    if scored.contains(column: name) { _ = try scored.removeColumn(name) }
                    try scored.addColumn(result[name]!)
                }
            } catch {
                throw CLIError("\(file): \(error) (model \(version.reference))", exitCode: 2)
            }
            if let output {
                do {
                    try CSVWriter().write(scored, to: output)
                } catch {
                    throw CLIError("cannot write \(output): \(error)", exitCode: 1)
                }
            }
            if json {
                var document: [String: JSONValue] = [
                    "model_version": .string(version.reference), "rows": .number(Double(scored.rowCount)),
                    "threshold": .number(cut), "output": output.map(JSONValue.string) ?? .null,
                ]
                if output == nil {
                    let scores = scored["score"]?.doubleValues ?? []
                    document["scores"] = .array(scores.map { $0.map(JSONValue.number) ?? .null })
                    document["predictions"] = .array(scores.map { .number(($0 ?? 0) >= cut ? 1 : 0) })
                }
                Terminal.out(Terminal.json(.object(document)))
            } else if let output {
                let positives = (scored["prediction"]?.numericValues ?? []).filter { $0 == 1 }.count
                Terminal.out("scored \(scored.rowCount) rows with \(version.reference) (threshold \(String(format: "%.3g", cut))); "
                    + "\(positives) predicted positive; wrote \(output)")
            } else {
                Terminal.emit(CSVWriter().string(scored), to: STDOUT_FILENO)
            }
        }
    }
}

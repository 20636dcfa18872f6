import ArgumentParser
import Foundation
import PipelineModel
import MLTasks
import Tabular

/// `kiln data profile FILE`: rows, columns and per-column statistics of a CSV or binary dataset.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", _superCommandName: "kiln",
        abstract: "Look at datasets.", subcommands: [DataProfileCommand.self])
}

/// `kiln data profile FILE [--json]`.
struct DataProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Print rows, columns, and per column: type, nulls, min, max, mean, distinct values.")

    @Argument(help: ArgumentHelp("A CSV file, a folder of CSV files, a glob, or a binary frame file.", valueName: "file"))
    var file: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let profile = try DatasetArguments.profile(file)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Terminal.out(String(decoding: try encoder.encode(profile), as: UTF8.self))
            } else {
                Terminal.out(profile.table)
            }
        }
    }
}

/// Reading dataset files named on the command line.
enum DatasetArguments {
    /// Reads `path` (CSV, folder, glob or binary frame), turning failures into a one-line CLI error.
    static func read(_ path: String) throws -> DataFrame {
        try reading(path) { try Datasets.read(path: path, limits: DataLimitsSetting.current) }
    }

    /// Profiles `path` (CSV a block at a time), turning failures into a one-line CLI error.
    static func profile(_ path: String) throws -> DataProfile {
        try reading(path) { try Datasets.profile(path: path, limits: DataLimitsSetting.current) }
    }

    private static func reading<Value>(_ path: String, _ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch {
            throw CLIError("cannot read \(path): \(error)", exitCode: 1)
        }
    }
}

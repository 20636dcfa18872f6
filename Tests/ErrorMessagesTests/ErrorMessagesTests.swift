import BoostedTrees
import ClassificationMetrics
import DataValidation
import DeploymentTasks
import DriftStatistics
import Features
import Foundation
import LinearModels
import MLTasks
import ModelRegistry
import PipelineEngine
import PipelineFile
import PipelineModel
import PipelineScheduler
import PipelineStoreSQLite
import PipelineTesting
import SQLiteData
import Tabular
import Testing

/// Every public error type a user can cause must read as a short human sentence: one or two lines, never a Swift
/// `DecodingError`/`EncodingError`/`NSError` dump. The catalogue below holds samples of every type (every case of an
/// enum), many produced by the real failing call; the sources are scanned so that a new error type, or a new case,
/// without a sample here fails the suite.
@Suite("error messages")
struct ErrorMessagesTests {
    @Test("every public error type and enum case in Sources/ has a sample here")
    func catalogueCoversSources() throws {
        let declared = try SourceScan.errorTypes()
        #expect(declared.count >= 30, "the scan of Sources/ found only \(declared.count) error types")
        let samples = try Catalogue.samples()
        for type in declared {
            let matching = samples.filter { $0.typeName.hasPrefix(type.module + ".") && $0.typeName.hasSuffix("." + type.name) }
            #expect(!matching.isEmpty, "\(type.file): \(type.name) has no sample in ErrorMessagesTests; add one for every way a user can cause it")
            let covered = Set(matching.compactMap(\.caseName))
            for name in type.cases where !covered.contains(name) {
                #expect(Bool(false), "\(type.file): \(type.name).\(name) has no sample in ErrorMessagesTests")
            }
        }
    }

    @Test("every sample reads as one or two human-written lines")
    func messagesAreShortAndHuman() throws {
        for sample in try Catalogue.samples() {
            for message in sample.messages {
                #expect(MessageRules.problem(with: message) == nil, "\(sample.typeName) \(sample.caseName ?? ""): \(MessageRules.problem(with: message) ?? "") in: \(message)")
            }
        }
    }

    @Test("the rules catch the dumps they are meant to catch")
    func rulesCatchDumps() throws {
        struct Payload: Decodable { var x: Int }
        var decodingError: (any Error)?
        do { _ = try JSONDecoder().decode(Payload.self, from: Data("{\"x\": \"1\"}".utf8)) } catch { decodingError = error }
        let cocoaError = CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "/nowhere"])
        let nsError = NSError(domain: "Example", code: 3)
        for dump in ["\(try #require(decodingError))", "\(cocoaError)", "\(nsError)", "notRegularFile(path: \"/dev/zero\", kind: \"device\")", "a\nb\nc"] {
            #expect(MessageRules.problem(with: "reading failed: " + dump) != nil, "not caught: \(dump)")
        }
        #expect(MessageRules.problem(with: " \n") != nil)
        #expect(MessageRules.problem(with: "cannot read /data/x.csv: No such file or directory") == nil)
    }
}

/// What a message must not look like.
enum MessageRules {
    /// Text that only appears when a Swift or Foundation error value is printed as it is.
    static let dumpMarkers = [
        "dataCorrupted", "keyNotFound(", "typeMismatch(", "valueNotFound(", "Context(", "codingPath", "debugDescription:",
        "underlyingError", "NSCocoaErrorDomain", "Error Domain=", "UserInfo=", "NSUnderlyingError", "NSFilePath",
        "CocoaError", "DecodingError", "EncodingError", "Debug description:", "Optional(", "_GenericObjCError", "(rawValue:",
    ]

    /// Why `message` is not acceptable, or `nil`.
    static func problem(with message: String) -> String? {
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "empty message" }
        let lines = trimmed.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 2 { return "\(lines.count) lines (at most 2)" }
        if let marker = dumpMarkers.first(where: { message.contains($0) }) { return "contains '\(marker)' (a printed error value)" }
        // An enum case printed by Swift's default: `someCase(label: value`.
        if message.range(of: #"\b[a-z][A-Za-z]+\([a-z][A-Za-z]*: "#, options: .regularExpression) != nil {
            return "looks like a printed enum case"
        }
        return nil
    }
}

/// The error types declared in Sources/, found by reading the files.
enum SourceScan {
    struct ErrorType {
        var module: String
        var name: String
        var file: String
        /// The enum's case names; empty for structs and classes.
        var cases: [String]
    }

    /// The modules whose errors a user never sees as Kiln's own messages: the benchmarks and the CLI (whose own
    /// messages KilnCLITests checks through the binary).
    static let executables: Set<String> = ["kiln", "kiln-bench", "kiln-ml-bench"]

    static var sourcesRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
    }

    static func errorTypes() throws -> [ErrorType] {
        let declaration = try NSRegularExpression(
            pattern: #"(?m)^\s*(?:@\w+\s+)*(public)\s+(?:final\s+)?(struct|enum|class)\s+(\w+)\s*:([^{]*)\{"#)
        var found: [ErrorType] = []
        let files = FileManager.default.enumerator(at: sourcesRoot, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let relative = String(url.path.dropFirst(sourcesRoot.path.count + 1))
            let module = String(relative.prefix { $0 != "/" })
            guard !executables.contains(module) else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for match in declaration.matches(in: text, range: range) {
                let conformances = String(text[Range(match.range(at: 4), in: text)!])
                let names = conformances.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                guard names.contains("Error") || names.contains("LocalizedError") else { continue }
                let name = String(text[Range(match.range(at: 3), in: text)!])
                let isEnum = text[Range(match.range(at: 2), in: text)!] == "enum"
                let bodyStart = Range(match.range, in: text)!.upperBound
                found.append(ErrorType(
                    module: module, name: name, file: "Sources/" + relative,
                    cases: isEnum ? caseNames(in: body(of: text, from: bodyStart)) : []))
            }
        }
        return found
    }

    /// The text up to the brace that closes the one just before `start`.
    private static func body(of text: String, from start: String.Index) -> Substring {
        var depth = 1
        var index = start
        while index < text.endIndex, depth > 0 {
            if text[index] == "{" { depth += 1 } else if text[index] == "}" { depth -= 1 }
            index = text.index(after: index)
        }
        return text[start..<index]
    }

    /// `case name` declarations at the top level of an enum body (not the cases of a `switch`).
    private static func caseNames(in body: Substring) -> [String] {
        var names: [String] = []
        var depth = 0
        for line in body.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if depth == 0, trimmed.hasPrefix("case ") {
                for part in trimmed.dropFirst(5).split(separator: ",") {
                    let name = part.trimmingCharacters(in: .whitespaces).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                    if !name.isEmpty, !["let", "var"].contains(name) { names.append(String(name)) }
                    if part.contains("(") { break }  // a payload's labels follow, not more cases
                }
            }
            depth += line.filter { $0 == "{" }.count - line.filter { $0 == "}" }.count
        }
        return names
    }
}

import Foundation
import PipelineEngine
import PipelineModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fresh, empty file a command may write its outputs to (its path is `KILN_OUTPUTS`).
///
/// The file is created with mode 0600 in the temporary directory under a unique name, read once the command
/// exits successfully, and removed afterwards whatever happened.
struct OutputsFile: ~Copyable {
    /// The largest outputs file that is read: outputs are small values, large data belongs in files.
    static let maxBytes = 16 * 1024 * 1024

    /// The file's absolute path.
    let path: String

    /// Creates a new empty file in `directory`.
    /// - Throws: ``TaskFailure`` when the file cannot be created.
    init(in directory: String) throws {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
        template += Array("kiln-outputs-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw TaskFailure("could not create the KILN_OUTPUTS file in \(directory): \(reason)")
        }
        close(fd)
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// A new empty file in the system's temporary directory.
    /// - Throws: ``TaskFailure`` when the file cannot be created.
    static func makeTemporary() throws -> OutputsFile {
        try OutputsFile(in: FileManager.default.temporaryDirectory.path)
    }

    /// Reads the object the command wrote; an empty, blank or deleted file means no outputs.
    /// - Throws: ``TaskFailure`` when the file holds something other than one JSON object.
    func read() throws -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return try Self.parse(data)
    }

    /// Parses the contents of an outputs file.
    /// - Throws: ``TaskFailure`` naming what is wrong: not JSON, too large, or not an object.
    static func parse(_ data: Data) throws -> [String: JSONValue] {
        guard data.count <= maxBytes else {
            throw TaskFailure(
                "KILN_OUTPUTS file is larger than \(maxBytes / 1024 / 1024) MiB: "
                    + "write large data to a file and output its path instead")
        }
        let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        guard data.contains(where: { !blank.contains($0) }) else { return [:] }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw TaskFailure("KILN_OUTPUTS file is not valid JSON: \(Self.syntaxError(in: data) ?? "\(error)")")
        }
        guard case .object(let outputs) = value else {
            throw TaskFailure("KILN_OUTPUTS file must hold a JSON object, found \(Self.kind(of: value))")
        }
        return outputs
    }

    deinit { unlink(path) }

    /// Where the JSON parser stopped (JSONDecoder only says "not valid JSON"; JSONSerialization says where).
    private static func syntaxError(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

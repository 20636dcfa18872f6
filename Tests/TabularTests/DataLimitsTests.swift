import Foundation
import Tabular
import Testing

@Suite("Data limits: regular files only, bytes per file, cancellation")
struct DataLimitsTests {
    /// Makes a FIFO in `directory` and keeps a writer open on it for `seconds` (so a reader that opens it does not
    /// block on open, and one that reads it ends after `seconds` instead of hanging the suite).
    static func fifo(in directory: String, name: String = "pipe.csv", seconds: Double = 5) throws -> String {
        let path = directory + "/" + name
        #expect(mkfifo(path, 0o600) == 0)
        let writer = open(path, O_RDWR | O_NONBLOCK)
        #expect(writer >= 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { close(writer) }
        return path
    }

    @Test("/dev/zero is refused at once as a character device, with the path and how to fix it")
    func devZero() throws {
        let started = ContinuousClock.now
        #expect(throws: TabularError.notRegularFile(path: "/dev/zero", kind: "a character device")) {
            try CSVReader().read(contentsOf: "/dev/zero")
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        let message = TabularError.notRegularFile(path: "/dev/zero", kind: "a character device").description
        #expect(message.hasPrefix("/dev/zero: is a character device, not a regular file"))
        #expect(message.contains("Fix: write the data to a file"))
        #expect(throws: TabularError.notRegularFile(path: "/dev/zero", kind: "a character device")) {
            try DataFrame(binaryFile: "/dev/zero")
        }
    }

    @Test("a FIFO is refused at once, alone or inside a folder of CSV files")
    func fifo() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.fifo(in: directory.path)
        let started = ContinuousClock.now
        #expect(throws: TabularError.notRegularFile(path: path, kind: "a FIFO (named pipe)")) {
            try CSVReader().read(contentsOf: path)
        }
        try "a,b\n1,2\n".write(toFile: directory.path + "/a.csv", atomically: true, encoding: .utf8)
        #expect(throws: TabularError.notRegularFile(path: path, kind: "a FIFO (named pipe)")) {
            try CSVReader().read(contentsOf: directory.path)
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test("a file above maxFileBytes is refused before it is read; one at the limit is read")
    func maxFileBytes() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/rows.csv"
        let text = "a,b\n1,2\n3,4\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let exact = CSVReader(options: CSVReadOptions(limits: DataLimits(maxFileBytes: text.utf8.count)))
        #expect(try exact.read(contentsOf: path).rowCount == 2)
        let small = CSVReader(options: CSVReadOptions(limits: DataLimits(maxFileBytes: 8)))
        #expect(throws: TabularError.fileTooLarge(path: path, size: text.utf8.count, limit: 8)) {
            try small.read(contentsOf: path)
        }
        #expect(DataLimits.default.maxFileBytes == 4 << 30)
        let message = TabularError.fileTooLarge(path: path, size: 20, limit: 4 << 30).description
        #expect(message.contains("more than the limit of 4 GiB (4294967296 bytes) per data file"))
        #expect(message.contains("KILN_MAX_DATA_FILE_BYTES"))
    }

    @Test("reading stops with .cancelled when shouldStop says so")
    func cancellation() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/big.csv"
        var text = "a,b\n"
        for row in 0..<200_000 { text += "\(row),\(row * 2)\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: TabularError.cancelled(path: path)) {
            try CSVReader().read(contentsOf: path, shouldStop: { true })
        }
        #expect(try CSVReader().read(contentsOf: path, shouldStop: { false }).rowCount == 200_000)
    }
}

import Foundation
import Testing

@testable import Tabular

/// `forEachBlock` reads a file a block at a time; its blocks joined must be the frame `read(contentsOf:)` gives, and
/// its errors the same errors.
@Suite("CSV read a block at a time")
struct CSVBlockReadTests {
    /// Writes `files` (name → bytes) into a fresh directory.
    static func directory(_ files: [String: [UInt8]]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        for (name, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: directory.path + "/" + name))
        }
        return directory
    }

    /// The frames of every block of `path`.
    static func blocks(_ path: String, blockBytes: Int, options: CSVReadOptions = CSVReadOptions()) throws -> [DataFrame] {
        var frames: [DataFrame] = []
        try CSVReader(options: options).forEachBlock(contentsOf: path, blockBytes: blockBytes) { frames.append($0) }
        return frames
    }

    /// Texts that exercise the cut: quotes across lines, CRLF, blank lines, a stray quote that flips the parity, a type
    /// that changes in the last row, a byte order mark, CR-only line ends, one column, no rows.
    static let texts: [String: [UInt8]] = [
        "quotes": Array(CSVChunkedReadTests.text(rows: 3_000).utf8),
        "crlf": Array(CSVChunkedReadTests.text(rows: 3_000, lineEnd: "\r\n").utf8),
        "stray-quote": Array(CSVChunkedReadTests.text(rows: 3_000) { index in
            index == 10 ? "\(index),ab\"c,1,x" : index % 5 == 0 ? "\(index),\"two\nlines\",2,y" : "\(index),n,3,z"
        }.utf8),
        "late-double": Array(CSVChunkedReadTests.text(rows: 3_000) { index in
            index == 2_999 ? "\(index),n,1.5,true" : "\(index),\"n \(index)\",\(index),NA"
        }.utf8),
        "bom": [0xEF, 0xBB, 0xBF] + Array("a,b\n1,x\n2,y\n3,\"z\"\n".utf8),
        "carriage-returns": Array(CSVChunkedReadTests.text(rows: 500, lineEnd: "\r").utf8),
        "one-column": Array("v\n1\n\n2\nNA\n3\n".utf8),
        "header-only": Array("a,b,c\n".utf8),
        "no-final-line-end": Array("a,b\n1,2\n3,4".utf8),
    ]

    @Test("blocks joined equal the whole read, for every block size", arguments: [1, 7, 100, 4096, 1 << 20])
    func sameFrame(blockBytes: Int) throws {
        let directory = try Self.directory(Self.texts)
        for name in Self.texts.keys.sorted() {
            let path = directory.path + "/" + name
            let whole = try CSVReader().read(contentsOf: path)
            let frames = try Self.blocks(path, blockBytes: blockBytes)
            #expect(!frames.isEmpty, "\(name): no block")
            let joined = try DataFrame.concatRows(frames)
            #expect(joined == whole, "\(name), blocks of \(blockBytes) bytes")
            #expect(joined.columns.map(\.type) == whole.columns.map(\.type), "\(name)")
        }
    }

    @Test("a large file comes in many small blocks, each of whole records")
    func smallBlocks() throws {
        let directory = try Self.directory(["big.csv": Self.texts["quotes"]!])
        let path = directory.path + "/big.csv"
        let frames = try Self.blocks(path, blockBytes: 4096)
        let bytes = Self.texts["quotes"]!.count
        #expect(frames.count >= bytes / 4096 / 2, "\(frames.count) blocks for \(bytes) bytes")
        // A block is a read of 4 KiB plus the part of a record left from the one before.
        #expect(frames.map(\.rowCount).max()! < 200)
        #expect(try DataFrame.concatRows(frames) == CSVReader().read(contentsOf: path))
    }

    @Test("types are inferred over every file of a folder, and overrides are kept")
    func typesAcrossFiles() throws {
        let directory = try Self.directory([
            "a.csv": Array("v,w,x\n1,1,true\n2,2,false\n".utf8),
            "b.csv": Array("v,w,x\n2.5,3,TRUE\n,4,\n".utf8),
        ])
        let options = CSVReadOptions(typeOverrides: ["w": .double])
        let frames = try Self.blocks(directory.path, blockBytes: 3, options: options)
        let joined = try DataFrame.concatRows(frames)
        #expect(joined == (try CSVReader(options: options).read(contentsOf: directory.path)))
        #expect(joined.columns.map(\.type) == [.double, .double, .bool])
        #expect(joined["v"]?.doubleValues == [1, 2, 2.5, nil])
    }

    @Test("errors are the whole read's errors, with the same lines and offsets")
    func sameErrors() throws {
        let broken: [String: [UInt8]] = [
            "ragged": Array(CSVChunkedReadTests.text(rows: 3_000) { index in
                index == 2_100 ? "\(index),too,many,fields,here" : CSVChunkedReadTests.row(index)
            }.utf8),
            "unterminated": Array((CSVChunkedReadTests.text(rows: 3_000) + "1,\"open,2,3\n").utf8),
            "after-quote": Array(CSVChunkedReadTests.text(rows: 3_000) { index in
                index == 2_500 ? "\(index),\"q\"x,1,2" : CSVChunkedReadTests.row(index)
            }.utf8),
            "utf8": Array("a,b\n1,2\n3,4\n".utf8) + [0xC3, 0x28] + Array(",5\n".utf8),
            "duplicate-header": Array("a,b,a\n1,2,3\n".utf8),
            "empty": [],
            "blank": Array("\n\n".utf8),
        ]
        let directory = try Self.directory(broken)
        for name in broken.keys.sorted() {
            let path = directory.path + "/" + name
            let expected = #expect(throws: TabularError.self, "\(name)") { try CSVReader().read(contentsOf: path) }
            for blockBytes in [1, 64, 1 << 20] {
                let error = #expect(throws: TabularError.self, "\(name)") {
                    try Self.blocks(path, blockBytes: blockBytes)
                }
                #expect(error == expected, "\(name), blocks of \(blockBytes) bytes")
            }
        }
        // A value that does not fit its override, and headers that differ between files.
        let options = CSVReadOptions(typeOverrides: ["id": .int])
        let overridden = try Self.directory(["x.csv": Array("id,v\n1,a\n2,b\nthree,c\n4,d\n".utf8)])
        let misfit = #expect(throws: TabularError.self) {
            try CSVReader(options: options).read(contentsOf: overridden.path + "/x.csv")
        }
        #expect(#expect(throws: TabularError.self) {
            try Self.blocks(overridden.path + "/x.csv", blockBytes: 5, options: options)
        } == misfit)
        let mismatched = try Self.directory(["1.csv": Array("id,value\n1,a\n".utf8), "2.csv": Array("id,other\n2,b\n".utf8)])
        #expect(throws: TabularError.headerMismatch(path: mismatched.path + "/2.csv", expected: ["id", "value"],
                                                    found: ["id", "other"])) {
            try Self.blocks(mismatched.path, blockBytes: 4)
        }
    }

    @Test("a stop request ends reading with cancelled")
    func cancelled() throws {
        let directory = try Self.directory(["big.csv": Self.texts["quotes"]!])
        let path = directory.path + "/big.csv"
        #expect(throws: TabularError.cancelled(path: path)) {
            try CSVReader().forEachBlock(contentsOf: path, blockBytes: 4096, shouldStop: { true }) { _ in }
        }
    }
}

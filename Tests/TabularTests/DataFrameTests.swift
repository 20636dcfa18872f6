import Testing
@testable import Tabular

@Suite("DataFrame")
struct DataFrameTests {
    func people() throws -> DataFrame {
        try DataFrame(columns: [
            Column(name: "id", ints: [1, 2, 3, 4]),
            Column(name: "name", strings: ["ann", "bob", nil, "dan"]),
            Column(name: "score", doubles: [1.5, nil, 3.0, .nan]),
            Column(name: "flag", bools: [true, false, nil, true]),
        ])
    }

    @Test("reports row count, column names, types and nulls")
    func basics() throws {
        let frame = try people()
        #expect(frame.rowCount == 4)
        #expect(frame.columnNames == ["id", "name", "score", "flag"])
        #expect(try frame.columnType("score") == .double)
        #expect(frame["name"]?.nullCount == 1)
        #expect(frame.nullCount == 3)
        #expect(frame["score"]?[3].numericValue?.isNaN == true, "NaN is a value, not a null")
        #expect(frame["score"]?.isNull(at: 3) == false)
        #expect(frame["name"]?[2] == .null)
    }

    @Test("rejects columns of different lengths and duplicate names")
    func invalidConstruction() {
        #expect(throws: TabularError.lengthMismatch(column: "b", expected: 2, actual: 1)) {
            try DataFrame(columns: [Column(name: "a", ints: [1, 2]), Column(name: "b", ints: [1])])
        }
        #expect(throws: TabularError.duplicateColumn(name: "a")) {
            try DataFrame(columns: [Column(name: "a", ints: [1]), Column(name: "a", ints: [2])])
        }
    }

    @Test("selects rows by indices and by mask, and columns by name")
    func selection() throws {
        let frame = try people()
        let picked = try frame.selecting(rows: [3, 0, 0])
        #expect(picked["id"]?.intValues == [4, 1, 1])
        let masked = try frame.filtering(mask: [false, true, true, false])
        #expect(masked["name"]?.stringValues == ["bob", nil])
        let narrow = try frame.selecting(columns: ["flag", "id"])
        #expect(narrow.columnNames == ["flag", "id"])
        #expect(throws: TabularError.rowIndexOutOfRange(index: 4, rowCount: 4)) { try frame.selecting(rows: [4]) }
        #expect(throws: TabularError.self) { try frame.filtering(mask: [true]) }
        #expect(throws: TabularError.columnNotFound(name: "nope", available: frame.columnNames)) {
            try frame.selecting(columns: ["nope"])
        }
    }

    @Test("adds, removes and renames columns")
    func mutation() throws {
        var frame = try people()
        try frame.addColumn(Column(name: "age", ints: [30, 40, 50, 60]))
        #expect(frame.columnNames.last == "age")
        #expect(throws: TabularError.lengthMismatch(column: "short", expected: 4, actual: 1)) {
            try frame.addColumn(Column(name: "short", ints: [1]))
        }
        try frame.renameColumn("age", to: "years")
        #expect(frame["years"]?.intValues == [30, 40, 50, 60])
        #expect(throws: TabularError.duplicateColumn(name: "id")) { try frame.renameColumn("years", to: "id") }
        let removed = try frame.removeColumn("years")
        #expect(removed.name == "years")
        #expect(!frame.contains(column: "years"))
    }

    @Test("inner join keeps matching rows in left order with all matches")
    func innerJoin() throws {
        let left = try DataFrame(columns: [
            Column(name: "key", strings: ["a", "b", "c", nil]),
            Column(name: "x", ints: [1, 2, 3, 4]),
        ])
        let right = try DataFrame(columns: [
            Column(name: "key", strings: ["c", "a", "a", nil]),
            Column(name: "x", doubles: [30, 10, 11, 99]),
        ])
        let joined = try left.joined(with: right, on: "key", kind: .inner)
        #expect(joined.columnNames == ["key", "x", "x_right"])
        #expect(joined["key"]?.stringValues == ["a", "a", "c"])
        #expect(joined["x"]?.intValues == [1, 1, 3])
        #expect(joined["x_right"]?.doubleValues == [10, 11, 30])
    }

    @Test("left join keeps unmatched rows with nulls on the right")
    func leftJoin() throws {
        let left = try DataFrame(columns: [Column(name: "id", ints: [1, 2, nil])])
        let right = try DataFrame(columns: [Column(name: "id", ints: [2]), Column(name: "v", strings: ["two"])])
        let joined = try left.joined(with: right, on: "id", kind: .left)
        #expect(joined.rowCount == 3)
        #expect(joined["v"]?.stringValues == [nil, "two", nil])
        let mismatched = try DataFrame(columns: [Column(name: "id", strings: ["2"])])
        #expect(throws: TabularError.typeMismatch(column: "id", expected: .int, actual: .string)) {
            try left.joined(with: mismatched, on: "id")
        }
    }

    @Test("concatColumns fans in feature groups and rejects row-count or name clashes")
    func concatColumns() throws {
        let a = try DataFrame(columns: [Column(name: "a", ints: [1, 2])])
        let b = try DataFrame(columns: [Column(name: "b", strings: ["x", "y"])])
        let both = try DataFrame.concatColumns([a, b])
        #expect(both.columnNames == ["a", "b"])
        #expect(both.rowCount == 2)
        let short = try DataFrame(columns: [Column(name: "c", ints: [1])])
        #expect(throws: TabularError.lengthMismatch(column: "c", expected: 2, actual: 1)) {
            try DataFrame.concatColumns([a, short])
        }
        #expect(throws: TabularError.duplicateColumn(name: "a")) { try DataFrame.concatColumns([a, a]) }
    }

    @Test("concatRows stacks frames with equal schemas and reports differences")
    func concatRows() throws {
        let a = try DataFrame(columns: [Column(name: "v", ints: [1, nil])])
        let b = try DataFrame(columns: [Column(name: "v", ints: [3])])
        let stacked = try DataFrame.concatRows([a, b])
        #expect(stacked["v"]?.intValues == [1, nil, 3])
        #expect(stacked.rowCount == 3)
        let other = try DataFrame(columns: [Column(name: "v", doubles: [3])])
        let error = #expect(throws: TabularError.self) { try DataFrame.concatRows([a, other]) }
        #expect(error?.description.contains("column v is double in frame 1, int in frame 0") == true)
    }

    @Test("columns built from storage replace values under nulls by placeholders")
    func canonicalStorage() throws {
        let column = try Column(name: "v", storage: .int([5, 6]), validity: [true, false])
        #expect(column == Column(name: "v", ints: [5, nil]))
        #expect(throws: TabularError.lengthMismatch(column: "v", expected: 2, actual: 1)) {
            try Column(name: "v", storage: .int([5, 6]), validity: [true])
        }
    }
}

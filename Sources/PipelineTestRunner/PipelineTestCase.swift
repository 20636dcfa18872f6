public import PipelineModel

/// One declared test of a pipeline: a task (or the sub-graph from one task to another) run on given inputs, and what
/// its outputs must be.
///
/// Cases are read from a test file (``PipelineTestFile``); the format is documented in `docs/testing.md`.
public struct PipelineTestCase: Sendable, Hashable {
    /// The case's name (its key under `cases:`), unique among the pipeline's test files.
    public var name: String
    /// The test file that declares it.
    public var file: String
    /// The line of its name in that file.
    public var line: Int
    /// The first task run.
    public var task: String
    /// The last task run, for an integration case (`to:`); `nil` for a unit case (only `task`).
    public var to: String?
    /// Overrides of the pipeline's params.
    public var params: [String: JSONValue]
    /// The outputs of tasks upstream of the tested ones, by task id and output key.
    public var upstream: [String: [String: TestValue]]
    /// Overrides of the first task's `with:` inputs.
    public var with: [String: TestValue]
    /// What must hold after the run.
    public var expect: TestExpectation

    /// Creates a case.
    public init(
        name: String, file: String, line: Int, task: String, to: String? = nil, params: [String: JSONValue] = [:],
        upstream: [String: [String: TestValue]] = [:], with: [String: TestValue] = [:], expect: TestExpectation
    ) {
        self.name = name
        self.file = file
        self.line = line
        self.task = task
        self.to = to
        self.params = params
        self.upstream = upstream
        self.with = with
        self.expect = expect
    }

    /// The task whose result the expectations check: `to` when set, else `task`.
    public var checkedTask: String { to ?? task }

    /// `unit` for one task, `integration` for a sub-graph.
    public var layer: String { to == nil ? "unit" : "integration" }
}

/// A value a case gives to a task: literal JSON, an inline table, or a CSV fixture file.
public enum TestValue: Sendable, Hashable {
    /// Passed as written (numbers, text, lists, mappings).
    case literal(JSONValue)
    /// An inline table, stored as a dataset artifact whose reference the task receives.
    case table(TestTable)
    /// A CSV file (absolute path), passed to the task as that path.
    case csv(String)
}

/// An inline table: column names and rows of values (numbers, text, booleans, null).
public struct TestTable: Sendable, Hashable {
    /// The column names, in order.
    public var columns: [String]
    /// The rows; each has one value per column.
    public var rows: [[JSONValue]]

    /// Creates a table.
    public init(columns: [String], rows: [[JSONValue]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// The checks of a case, all on the checked task (``PipelineTestCase/checkedTask``).
public struct TestExpectation: Sendable, Hashable {
    /// The values of one column, in row order.
    public struct ColumnValues: Sendable, Hashable {
        /// The column.
        public var column: String
        /// Its expected values (numbers compare within the tolerance).
        public var values: [JSONValue]

        /// Creates the check.
        public init(column: String, values: [JSONValue]) {
            self.column = column
            self.values = values
        }
    }

    /// Scores of the model a task produced, computed on a dataset.
    public struct Scores: Sendable, Hashable {
        /// The output key holding the model (default `model`).
        public var model: String
        /// The rows to score.
        public var data: TestValue
        /// The lowest score allowed (default 0).
        public var min: Double
        /// The highest score allowed (default 1).
        public var max: Double

        /// Creates the check.
        public init(model: String = "model", data: TestValue, min: Double = 0, max: Double = 1) {
            self.model = model
            self.data = data
            self.min = min
            self.max = max
        }
    }

    /// The largest absolute difference at which two numbers are equal (default 1e-9).
    public var tolerance: Double
    /// The task's final state (`succeeded`, `failed`, `skipped`, …); `nil` means succeeded unless `fails` is set.
    public var state: TaskState?
    /// The task must fail with a message containing this text.
    public var fails: String?
    /// Output values, by key (numbers within the tolerance, lists and mappings compared member by member).
    public var outputs: [String: JSONValue]
    /// The output key of the dataset that `rows`, `columns` and `values` look at (default `data`).
    public var dataset: String
    /// The dataset's row count.
    public var rows: Int?
    /// Columns the dataset must have.
    public var present: [String]
    /// Columns the dataset must not have.
    public var absent: [String]
    /// Column values, in the file's order.
    public var values: [ColumnValues]
    /// The model's scores.
    public var scores: Scores?

    /// Creates an expectation; by default it only asks the task to succeed.
    public init(
        tolerance: Double = 1e-9, state: TaskState? = nil, fails: String? = nil, outputs: [String: JSONValue] = [:],
        dataset: String = "data", rows: Int? = nil, present: [String] = [], absent: [String] = [],
        values: [ColumnValues] = [], scores: Scores? = nil
    ) {
        self.tolerance = tolerance
        self.state = state
        self.fails = fails
        self.outputs = outputs
        self.dataset = dataset
        self.rows = rows
        self.present = present
        self.absent = absent
        self.values = values
        self.scores = scores
    }

    /// Whether any check reads a dataset output.
    var readsDataset: Bool { rows != nil || !present.isEmpty || !absent.isEmpty || !values.isEmpty }
}

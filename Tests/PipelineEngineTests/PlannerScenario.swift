@testable import PipelineEngine
import PipelineModel
import Testing

/// A pipeline, a sequence of steps, and the task states it must end with.
struct PlannerScenario: Sendable, CustomTestStringConvertible {
    /// An event to report (tasks by id), time passing, or the actions expected next.
    enum Step: Sendable {
        /// `nextActions` with `slots` free slots returns these actions, as ``PlannerHarness/describe(_:)`` writes them.
        case expect([String], slots: Int = 4)
        case succeed(String, outputs: [String: JSONValue] = [:])
        case cached(String)
        case fail(String, String)
        case suspend(String, deadlineAfter: Duration? = nil)
        case retryDue(String)
        case deadlineDue(String)
        case cancel
        case advance(Duration)
    }

    let name: String
    let tasks: [TaskSpec]
    let steps: [Step]
    let states: [String: TaskState]

    var testDescription: String { name }

    static let all: [PlannerScenario] = [
        PlannerScenario(
            name: "a chain runs task by task and the run succeeds",
            tasks: [
                uses("extract", "echo"), uses("train", "echo", needs: ["extract"]), uses("deploy", "echo", needs: ["train"]),
            ],
            steps: [
                .expect(["start extract #1"]), .succeed("extract"),
                .expect(["start train #1"]), .cached("train"),
                .expect(["start deploy #1"]), .succeed("deploy"),
                .expect(["finish succeeded"]), .expect([]),
            ],
            states: ["extract": .succeeded, "train": .cached, "deploy": .succeeded]),
        PlannerScenario(
            name: "a failure skips what depends on it, and the run fails with a summary",
            tasks: [
                uses("extract", "echo"), uses("train", "echo", needs: ["extract"]), uses("report", "echo", needs: ["train"]),
                uses("other", "echo"),
            ],
            steps: [
                .expect(["start extract #1", "start other #1"]), .fail("extract", "disk full"),
                .expect([]), .succeed("other"),
                .expect(["finish failed: extract: disk full"]),
            ],
            states: ["extract": .failed, "train": .skipped, "report": .skipped, "other": .succeeded]),
        PlannerScenario(
            name: "a retry runs the task again and its dependents follow",
            tasks: [
                uses("extract", "flaky", retry: RetryPolicy(retries: 2, delay: .seconds(300))),
                uses("train", "echo", needs: ["extract"]),
            ],
            steps: [
                .expect(["start extract #1"]), .fail("extract", "unavailable"),
                .expect(["retry extract at +300s"]), .advance(.seconds(300)), .retryDue("extract"),
                .expect(["start extract #2"]), .succeed("extract"),
                .expect(["start train #1"]), .succeed("train"),
                .expect(["finish succeeded"]),
            ],
            states: ["extract": .succeeded, "train": .succeeded]),
        PlannerScenario(
            name: "a false condition skips the task and what needs it; always() still runs",
            tasks: [
                uses("train", "echo"),
                uses("register", "echo", needs: ["train"], if: "${{ tasks.train.outputs.f1 > 0.95 }}"),
                uses("deploy", "echo", needs: ["register"]),
                uses("report", "echo", needs: ["deploy"], if: "always()"),
            ],
            steps: [
                .expect(["start train #1"]), .succeed("train", outputs: ["f1": 0.9]),
                .expect(["start report #1"]), .succeed("report"),
                .expect(["finish succeeded"]),
            ],
            states: ["train": .succeeded, "register": .skipped, "deploy": .skipped, "report": .succeeded]),
        PlannerScenario(
            name: "failure() and always() branches run after a failure; success() ones are skipped",
            tasks: [
                uses("broken", "flaky"),
                uses("after", "echo", needs: ["broken"]),
                uses("alert", "echo", needs: ["after"], if: "${{ failure() }}"),
                uses("cleanup", "echo", needs: ["broken"], if: "always()"),
            ],
            steps: [
                .expect(["start broken #1"]), .fail("broken", "boom"),
                .expect(["start cleanup #1", "start alert #1"]), .succeed("alert"), .succeed("cleanup"),
                .expect(["finish failed: broken: boom"]),
            ],
            states: ["broken": .failed, "after": .skipped, "alert": .succeeded, "cleanup": .succeeded]),
        PlannerScenario(
            name: "no more attempts start than there are free slots",
            tasks: (0..<4).map { uses("t\($0)", "echo") },
            steps: [
                .expect(["start t0 #1", "start t1 #1"], slots: 2), .expect([], slots: 0),
                .succeed("t0"), .expect(["start t2 #1"], slots: 1),
                .succeed("t1"), .succeed("t2"), .expect(["start t3 #1"], slots: 3),
                .succeed("t3"), .expect(["finish succeeded"], slots: 4),
            ],
            states: ["t0": .succeeded, "t1": .succeeded, "t2": .succeeded, "t3": .succeeded]),
        PlannerScenario(
            name: "a suspended task parks the run as waiting once nothing else can progress",
            tasks: [
                uses("train", "echo"), uses("approve", "gate", needs: ["train"]), uses("deploy", "echo", needs: ["approve"]),
            ],
            steps: [
                .expect(["start train #1"]), .succeed("train"),
                .expect(["start approve #1"]), .suspend("approve"),
                .expect(["finish waiting"]),
            ],
            states: ["train": .succeeded, "approve": .waiting, "deploy": .pending]),
        PlannerScenario(
            name: "a deadline arms a timer, and when it passes the waiting task fails as rejected",
            tasks: [uses("approve", "gate"), uses("slow", "sleep"), uses("deploy", "echo", needs: ["approve"])],
            steps: [
                .expect(["start approve #1", "start slow #1"]), .suspend("approve", deadlineAfter: .seconds(3600)),
                .expect(["deadline approve at +3600s"]), .advance(.seconds(3600)), .deadlineDue("approve"),
                .expect([]), .succeed("slow"),
                .expect(["finish failed: approve: rejected: no decision before the deadline 2025-12-06T01:00:00.000Z"]),
            ],
            states: ["approve": .failed, "slow": .succeeded, "deploy": .skipped]),
        PlannerScenario(
            name: "cancellation keeps a success that arrives after it, starts nothing and finishes the run cancelled",
            tasks: [
                uses("a", "echo"), uses("b", "flaky", retry: RetryPolicy(retries: 1)), uses("c", "echo", needs: ["a"]),
                uses("d", "echo", needs: ["c"]),
            ],
            steps: [
                .expect(["start a #1", "start b #1"]), .fail("b", "boom"), .succeed("a"),
                .expect(["retry b at +0s", "start c #1"]),
                .cancel, .retryDue("b"), .succeed("c"),
                .expect(["finish cancelled"]), .expect([]),
            ],
            states: ["a": .succeeded, "b": .pending, "c": .succeeded, "d": .pending]),
        PlannerScenario(
            name: "an attempt that fails after cancellation is stored cancelled",
            tasks: [uses("a", "echo"), uses("b", "echo")],
            steps: [
                .expect(["start a #1", "start b #1"]), .cancel, .fail("a", "killed"),
                .expect(["finish cancelled"]),
            ],
            states: ["a": .cancelled, "b": .cancelled]),
        PlannerScenario(
            name: "when every task finished before the cancellation took effect, the run succeeded",
            tasks: [uses("a", "echo")],
            steps: [.expect(["start a #1"]), .cancel, .succeed("a"), .expect(["finish succeeded"])],
            states: ["a": .succeeded]),
    ]
}

import Testing

@testable import PipelineModel

@Suite struct PlanTests {
    func task(_ id: String, needs: [String] = [], if condition: String? = nil, run: [String] = ["true"]) -> TaskSpec {
        TaskSpec(id: id, needs: needs, condition: condition, action: .run(run))
    }

    @Test("orders tasks after their needs and knows the transitive upstream")
    func order() throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [
            task("train", needs: ["a", "b"]), task("a", needs: ["extract"]), task("b", needs: ["extract"]), task("extract"),
        ]))
        let position = Dictionary(uniqueKeysWithValues: plan.order.enumerated().map { (plan.pipeline.tasks[$1].id, $0) })
        #expect(position["extract"]! < position["a"]! && position["a"]! < position["train"]!)
        #expect(position["b"]! < position["train"]!)
        #expect(plan.isUpstream(plan.index["extract"]!, of: plan.index["train"]!))
        #expect(!plan.isUpstream(plan.index["a"]!, of: plan.index["b"]!))
        #expect(Set(plan.upstream(of: plan.index["train"]!).map { plan.pipeline.tasks[$0].id }) == ["a", "b", "extract"])
    }

    @Test("names the cycle and reports every other problem with it")
    func cycle() {
        do {
            _ = try Plan(Pipeline(name: "p", tasks: [
                task("a", needs: ["c"]), task("b", needs: ["a"]), task("c", needs: ["b"]), task("d", needs: ["extrct"]),
                task("Bad"),
            ]))
            Issue.record("expected a validation error")
        } catch {
            let messages = error.issues.map(\.description)
            #expect(messages.contains { $0.contains("needs form a cycle") && $0.contains("a → ") })
            #expect(messages.contains { $0.contains("unknown task 'extrct'") })
            #expect(messages.contains { $0.hasPrefix("tasks.Bad: task id 'Bad' is invalid") })
            #expect(error.issues.count == 3)
        }
    }

    @Test("a need listed twice is reported at its second place, in a short list and in a long one")
    func repeatedNeeds() {
        let sources = (0..<10).map { task("s\($0)") }
        let long = (0..<10).map { "s\($0)" } + ["s3"]
        do {
            _ = try Plan(Pipeline(name: "p", tasks: sources + [
                task("few", needs: ["s1", "s2", "s1"]), task("many", needs: long), task("fine", needs: ["s1", "s2"]),
            ]))
            Issue.record("expected a validation error")
        } catch {
            #expect(error.issues.map(\.description) == [
                "tasks.few.needs[2]: 's1' is listed twice in needs",
                "tasks.many.needs[10]: 's3' is listed twice in needs",
            ])
        }
    }

    @Test("checks references: params declared, tasks upstream, functions only in if")
    func references() {
        do {
            _ = try Plan(Pipeline(name: "p", params: ["min_f1": 0.8], tasks: [
                task("train"),
                task("side"),
                task("register", needs: ["train"], if: "${{ tasks.train.outputs.f1 > params.min_f2 }}",
                     run: ["echo", "${{ tasks.side.outputs.x }}", "${{ success() }}", "${{ foo.bar }}"]),
            ]))
            Issue.record("expected a validation error")
        } catch {
            let messages = error.issues.map(\.description)
            #expect(messages.contains { $0.contains("unknown param 'min_f2' (did you mean 'min_f1'?)") })
            #expect(messages.contains { $0.contains("task 'side' is not upstream of 'register'") })
            #expect(messages.contains { $0.contains("belong in 'if:' only") })
            #expect(messages.contains { $0.contains("unknown reference 'foo.bar'") })
            let paramIssue = error.issues.first { $0.message.contains("min_f2") }
            #expect(paramIssue?.pathText == "tasks.register.if")
            #expect(paramIssue?.offset == 3)
        }
    }

    @Test("an if without a status function implies success()")
    func implicitSuccess() throws {
        let plan = try Plan(Pipeline(name: "p", tasks: [task("a"), task("b", needs: ["a"], if: "true"), task("c", needs: ["a"], if: "failure()")]))
        #expect(plan.conditions[1] == .binary(.and, .call(.success), .literal(.bool(true))))
        #expect(plan.conditions[2] == .call(.failure))
        #expect(plan.conditions[0] == .call(.success))
    }

    @Test("unknown kinds are reported with a suggestion when the registry is known")
    func unknownKind() {
        #expect {
            try Plan(Pipeline(name: "p", tasks: [TaskSpec(id: "a", action: .uses("nop", with: [:]))]), knownKinds: ["noop", "fail"])
        } throws: { error in
            (error as? PipelineValidationError)?.issues.first?.message.contains("unknown task kind 'nop' (did you mean 'noop'?)") == true
        }
    }

    @Test("task ids follow [a-z0-9][a-z0-9_-]*", arguments: [("extract", true), ("feature-a", true), ("0x_1", true), ("-a", false), ("A", false), ("a.b", false), ("", false)])
    func ids(id: String, valid: Bool) {
        #expect(Plan.isValidID(id) == valid)
    }

    @Test(
        "a pipeline built in Swift has its schedule checked like a pipeline file's",
        arguments: [
            (TriggerSpec(schedule: "0 25 * * *"), "triggers.schedule", "schedule:"),
            (TriggerSpec(schedule: "@daily", timezone: "Mars/Olympus"), "triggers.timezone", "timezone:"),
            (TriggerSpec(every: "soon"), "triggers.every", "every:"),
            (TriggerSpec(schedule: "@daily", every: "6h"), "triggers.every", "either schedule: or every:"),
        ])
    func schedules(triggers: TriggerSpec, path: String, message: String) {
        do {
            _ = try Plan(Pipeline(name: "p", tasks: [task("a")], triggers: triggers))
            Issue.record("expected a validation error")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues.first?.pathText == path)
            #expect(error.issues.first?.message.contains(message) == true, "\(error.issues)")
        }
    }

    @Test("valid schedules pass")
    func validSchedules() throws {
        _ = try Plan(Pipeline(name: "p", tasks: [task("a")], triggers: TriggerSpec(schedule: "0 2 * * 1-5", timezone: "Asia/Seoul")))
        _ = try Plan(Pipeline(name: "p", tasks: [task("a")], triggers: TriggerSpec(every: "6h")))
    }

    @Test("an expression's issue names the exact place it is written, in key order")
    func expressionIssuePaths() {
        let bad = "${{ tasks.nope.outputs.x }}"
        let tasks = [
            TaskSpec(id: "a", action: .run(["echo", bad]), env: ["Z": bad, "B": bad], workdir: bad),
            TaskSpec(id: "b", action: .shell("echo \(bad)")),
            TaskSpec(id: "c", action: .uses("noop", with: [
                "z": .string(bad), "n": .number(1),
                "list": .array([.string("plain"), .object(["deep": .string(bad)]), .string(bad)]),
            ])),
        ]
        do {
            _ = try Plan(Pipeline(name: "p", tasks: tasks))
            Issue.record("expected a validation error")
        } catch {
            #expect(error.issues.map(\.pathText) == [
                "tasks.a.run[1]", "tasks.a.env.B", "tasks.a.env.Z", "tasks.a.workdir", "tasks.b.shell",
                "tasks.c.with.list[1].deep", "tasks.c.with.list[2]", "tasks.c.with.z",
            ])
            #expect(error.issues.allSatisfy { $0.message.contains("unknown task 'nope'") }, "\(error.issues)")
        }
    }

    @Test("a repeated task id is reported once per repeat, at the id")
    func duplicateIDs() {
        do {
            _ = try Plan(Pipeline(name: "p", tasks: [task("a"), task("b", needs: ["a"]), task("a"), task("a")]))
            Issue.record("expected a validation error")
        } catch {
            #expect(error.issues.map(\.description) == [
                "tasks.a: duplicate task id 'a'", "tasks.a: duplicate task id 'a'",
            ])
        }
    }

    @Test("runs_on labels are kept sorted and without repeats, however many")
    func runsOnLabels() {
        #expect(TaskSpec(id: "a", action: .run(["x"])).runsOn == [])
        #expect(TaskSpec(id: "a", action: .run(["x"]), runsOn: ["gpu"]).runsOn == ["gpu"])
        #expect(TaskSpec(id: "a", action: .run(["x"]), runsOn: ["gpu", "big", "gpu"]).runsOn == ["big", "gpu"])
    }
}

import PipelineModel

/// The benchmark workloads W1–W5 (the same shapes the peer orchestrators were measured on).
enum Workloads {
    /// W1: the seed DAG: extract → validate → 3 feature groups → train → evaluate → register → deploy decision →
    /// deploy | alert (alert runs only on failure, so it is skipped).
    static func seed(cache: Bool = false) -> Pipeline {
        let policy = cache ? CachePolicy(expire: .seconds(3600)) : nil
        func task(_ id: String, _ needs: [String], _ with: [String: JSONValue] = [:], if condition: String? = nil) -> TaskSpec {
            TaskSpec(id: id, needs: needs, condition: condition, action: .uses("noop", with: with), cache: policy)
        }
        return Pipeline(name: cache ? "w4-cached-seed" : "w1-seed", params: ["source": "data.csv"], tasks: [
            task("extract", [], ["path": "${{ params.source }}", "rows": 1000]),
            task("validate", ["extract"], ["rows": "${{ tasks.extract.outputs.rows }}"]),
            task("feature-a", ["validate"], ["n": 1]),
            task("feature-b", ["validate"], ["n": 2]),
            task("feature-c", ["validate"], ["n": 3]),
            task("train", ["feature-a", "feature-b", "feature-c"], ["f1": 0.91, "n": "${{ tasks.feature-c.outputs.n }}"]),
            task("evaluate", ["train"], ["f1": "${{ tasks.train.outputs.f1 }}"]),
            task("register", ["evaluate"], ["version": 1]),
            task("deploy-decision", ["register"], ["deploy": "${{ tasks.evaluate.outputs.f1 > 0.85 }}"]),
            task("deploy", ["deploy-decision"], if: "${{ tasks.deploy-decision.outputs.deploy }}"),
            task("alert", ["deploy-decision"], if: "${{ failure() }}"),
        ])
    }

    /// W2: one source, `width` parallel tasks reading its output, one fan-in.
    static func wide(width: Int) -> Pipeline {
        var tasks = [TaskSpec(id: "source", action: .uses("noop", with: ["value": 1]))]
        for index in 0..<width {
            tasks.append(TaskSpec(id: "work-\(index)", needs: ["source"],
                                  action: .uses("noop", with: ["i": .number(Double(index)), "v": "${{ tasks.source.outputs.value }}"])))
        }
        tasks.append(TaskSpec(id: "fan-in", needs: (0..<width).map { "work-\($0)" }, action: .uses("noop", with: [:])))
        return Pipeline(name: "w2-wide", tasks: tasks)
    }

    /// W3: a chain of `length` tasks, each reading the previous one's output.
    static func chain(length: Int) -> Pipeline {
        var tasks = [TaskSpec(id: "step-0", action: .uses("noop", with: ["v": 0]))]
        for index in 1..<length {
            tasks.append(TaskSpec(id: "step-\(index)", needs: ["step-\(index - 1)"],
                                  action: .uses("noop", with: ["v": .string("${{ tasks.step-\(index - 1).outputs.v }}")])))
        }
        return Pipeline(name: "w3-chain", tasks: tasks)
    }

    /// W5: one task that fails twice and then succeeds, with three retries and no delay.
    static func retry() -> Pipeline {
        Pipeline(name: "w5-retry", tasks: [
            TaskSpec(id: "flaky", action: .uses("fail", with: ["times": 2]), retry: RetryPolicy(retries: 3))
        ])
    }
}

extension Workloads {
    /// W2's shape as a pipeline file (W6 runs it through a new `kiln` process): one source, `width` tasks reading
    /// its output, one fan-in.
    static func wideYAML(width: Int) -> String {
        var text = """
            name: w6-wide
            tasks:
              source:
                uses: noop
                with: { value: 1 }

            """
        text.reserveCapacity(width * 96)
        for index in 0..<width {
            text += """
                  work-\(index):
                    needs: [source]
                    uses: noop
                    with: { i: \(index), v: "${{ tasks.source.outputs.value }}" }

                """
        }
        text += "  fan-in:\n    needs: [" + (0..<width).map { "work-\($0)" }.joined(separator: ", ") + "]\n    uses: noop\n"
        return text
    }

    /// One no-op task as a pipeline file: what W6 subtracts (process start, database open, run creation).
    static let oneYAML = """
        name: w6-one
        tasks:
          only:
            uses: noop
            with: { value: 1 }

        """
}

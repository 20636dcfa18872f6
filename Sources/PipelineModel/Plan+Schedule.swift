extension Plan {
    /// Checks the schedule of `triggers` the way pipeline files are checked, so a pipeline built in Swift with a
    /// bad cron expression, time zone or interval is refused before it is watched.
    static func checkSchedule(_ triggers: TriggerSpec, issues: inout [PipelineIssue]) {
        let base: [PipelineIssue.PathComponent] = [.key("triggers")]
        var zoneIsValid = true
        if let zone = triggers.timezone {
            do {
                _ = try Schedule.parse(cron: "@daily", timeZone: zone)
            } catch {
                zoneIsValid = false
                issues.append(PipelineIssue("timezone: \(error)", at: base + [.key("timezone")]))
            }
        }
        if triggers.schedule != nil, triggers.every != nil {
            issues.append(PipelineIssue("set either schedule: or every:, not both", at: base + [.key("every")]))
        }
        if let cron = triggers.schedule, zoneIsValid {
            do {
                _ = try Schedule.parse(cron: cron, timeZone: triggers.timezone)
            } catch {
                issues.append(PipelineIssue("schedule: \(error)", at: base + [.key("schedule")], offset: error.offset))
            }
        }
        if let cooldown = triggers.cooldown {
            do {
                _ = try DurationText.parse(cooldown)
            } catch {
                issues.append(PipelineIssue("cooldown: \(error)", at: base + [.key("cooldown")]))
            }
        }
        if let every = triggers.every {
            do {
                _ = try Schedule.every(every)
            } catch {
                issues.append(PipelineIssue("every: \(error)", at: base + [.key("every")]))
            }
        }
    }
}

import PipelineModel

extension PipelineReader {
    static let notifyRuleKeys = ["on", "slack", "pagerduty", "webhook"]

    /// Reads the `notify:` list: each entry has `on:` (event kinds) and exactly one destination.
    ///
    /// Strings are kept as written (`${{ env.X }}` unresolved) so the stored snapshot never holds a secret;
    /// expressions may only read `env.NAME`.
    mutating func readNotify(_ entry: Entry?) -> [NotificationRule] {
        guard let entry, !entry.value.isEmptyValue else { return [] }
        record([.key("notify")], entry)
        guard case .sequence(let sequence) = entry.value else {
            report(value: entry, "notify must be a list of rules, e.g. notify: [{on: [failure], slack: {webhook: \"${{ env.SLACK_WEBHOOK }}\"}}]")
            return []
        }
        var rules: [NotificationRule] = []
        for node in sequence {
            guard case .mapping(let mapping) = node else {
                report(at: node, "a notify rule must be a mapping with 'on:' and one of slack:, pagerduty:, webhook:")
                continue
            }
            if let rule = readRule(node, mapping) { rules.append(rule) }
        }
        return rules
    }

    private mutating func readRule(_ node: YAMLNode, _ mapping: YAMLNode.Mapping) -> NotificationRule? {
        var byKey: [String: Entry] = [:]
        for entry in entries(of: mapping) {
            if Self.notifyRuleKeys.contains(entry.key) {
                byKey[entry.key] = entry
            } else {
                unknownKey(entry, place: "in a notify rule", known: Self.notifyRuleKeys)
            }
        }
        let kinds = readKinds(byKey["on"], rule: node)
        let destinations = ["slack", "pagerduty", "webhook"].compactMap { byKey[$0] }
        guard destinations.count == 1 else {
            report(
                at: destinations.count > 1 ? destinations[1].keyNode : node,
                destinations.isEmpty
                    ? "a notify rule needs one destination: slack:, pagerduty: or webhook:"
                    : "a notify rule has one destination; split '\(destinations.map(\.key).joined(separator: "' and '"))' into two rules")
            return nil
        }
        guard let destination = readDestination(destinations[0]), let kinds else { return nil }
        return NotificationRule(on: kinds, destination: destination)
    }

    private mutating func readKinds(_ entry: Entry?, rule: YAMLNode) -> [NotificationEventKind]? {
        let known = NotificationEventKind.allCases.map(\.rawValue)
        guard let entry else {
            report(at: rule, "a notify rule needs 'on:', a list of events: \(known.joined(separator: ", "))")
            return nil
        }
        var names: [(String, YAMLNode)] = []
        switch entry.value {
        case .scalar(let scalar): names = [(scalar.string, entry.value)]
        case .sequence(let sequence):
            for item in sequence {
                guard let scalar = item.scalarValue else {
                    report(at: item, "on: holds event names such as failure or deployed")
                    return nil
                }
                names.append((scalar.string, item))
            }
        default:
            report(value: entry, "on: must be a list of events: \(known.joined(separator: ", "))")
            return nil
        }
        guard !names.isEmpty else {
            report(value: entry, "on: needs at least one event: \(known.joined(separator: ", "))")
            return nil
        }
        var kinds: [NotificationEventKind] = []
        for (name, node) in names {
            guard let kind = NotificationEventKind(rawValue: name) else {
                report(at: node, "unknown event '\(name)'\(Suggestion.hint(for: name, in: known)); events are: \(known.joined(separator: ", "))")
                return nil
            }
            kinds.append(kind)
        }
        return kinds
    }

    private mutating func readDestination(_ entry: Entry) -> NotificationDestination? {
        let required: [String: [String]] = ["slack": ["webhook"], "pagerduty": ["routing_key"], "webhook": ["url"]]
        let allowed: [String: [String]] = ["slack": ["webhook"], "pagerduty": ["routing_key", "url"], "webhook": ["url", "headers"]]
        guard case .mapping(let mapping) = entry.value else {
            report(value: entry, "\(entry.key) must be a mapping, e.g. \(entry.key): {\(required[entry.key]![0]): \"${{ env.SECRET }}\"}")
            return nil
        }
        var texts: [String: String] = [:]
        var headers: [String: String] = [:]
        var ok = true
        for field in entries(of: mapping) {
            guard allowed[entry.key]!.contains(field.key) else {
                unknownKey(field, place: "in \(entry.key)", known: allowed[entry.key]!)
                ok = false
                continue
            }
            if field.key == "headers" {
                guard case .mapping(let headerMapping) = field.value else {
                    report(value: field, "headers must be a mapping of header names to values")
                    ok = false
                    continue
                }
                for header in entries(of: headerMapping) {
                    guard let value = header.value.scalarValue?.string, checkSecretTemplate(value, at: header.value) else {
                        ok = false
                        continue
                    }
                    headers[header.key] = value
                }
                continue
            }
            guard let value = requiredText(field, "\(field.key) must be text"), checkSecretTemplate(value, at: field.value) else {
                ok = false
                continue
            }
            texts[field.key] = value
        }
        for key in required[entry.key]! where texts[key] == nil && ok {
            report(value: entry, "\(entry.key) needs '\(key)'")
            ok = false
        }
        guard ok else { return nil }
        switch entry.key {
        case "slack": return .slack(webhook: texts["webhook"]!)
        case "pagerduty":
            return .pagerDuty(routingKey: texts["routing_key"]!, url: texts["url"] ?? NotificationDestination.pagerDutyEventsURL)
        default: return .webhook(url: texts["url"]!, headers: headers)
        }
    }

    /// Checks that `text`'s expressions parse and read only `env.NAME` (secrets come from the environment).
    private mutating func checkSecretTemplate(_ text: String, at node: YAMLNode) -> Bool {
        do {
            let template = try Template(text)
            for expression in template.expressions {
                for reference in expression.references where reference.count != 2 || reference[0] != "env" {
                    report(at: node, "notify values may only read the environment (env.NAME), not '\(reference.joined(separator: "."))'")
                    return false
                }
                if expression.callsStatusFunction {
                    report(at: node, "notify values may only read the environment (env.NAME)")
                    return false
                }
            }
            return true
        } catch {
            report(at: node, "\(error.message)")
            return false
        }
    }
}

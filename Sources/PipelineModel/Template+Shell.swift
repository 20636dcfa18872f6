extension Template {
    /// A `shell:` script ready to run: expressions replaced by references to environment variables that carry
    /// their values, so no value can become script text.
    public struct ShellScript: Sendable, Hashable {
        /// The script, with `${KILN_VALUE_n}` references where the template had expressions.
        public var script: String
        /// The variables the script references (`KILN_VALUE_1`, …) and their values, to add to the process's
        /// environment.
        public var values: [String: String]
    }

    /// The prefix of the variables that carry expression values into `shell:` scripts (`KILN_VALUE_1`, …).
    public static let shellValuePrefix = "KILN_VALUE_"

    /// Renders a `shell:` script: each `${{ … }}` becomes a reference to an environment variable holding its value
    /// as one word, whatever the value contains (`$(…)`, quotes, `;`, newlines are data, never syntax).
    ///
    /// The reference fits the quoting around the expression, so the value is always exactly one word:
    /// - outside quotes: `"${KILN_VALUE_1}"`;
    /// - inside double quotes: `${KILN_VALUE_1}`;
    /// - inside single quotes (`'…'` or `$'…'`): the quotes are closed around `"${KILN_VALUE_1}"` and reopened.
    ///
    /// ```
    /// echo "hello ${{ params.who }}"   →   echo "hello ${KILN_VALUE_1}"   with KILN_VALUE_1=<the value>
    /// ```
    ///
    /// Inside a here-document or a command substitution the reference is placed as outside quotes; the value still
    /// cannot run as code.
    ///
    /// - Parameter context: What expressions can read.
    /// - Returns: The script and the variables it needs.
    /// - Throws: ``ExpressionError`` located in the template when an expression cannot be evaluated.
    public func renderShell(in context: some ExpressionContext) throws(ExpressionError) -> ShellScript {
        var script = ""
        var values: [String: String] = [:]
        var quoting = ShellQuoting.none
        for segment in segments {
            switch segment {
            case .text(let text):
                script += text
                quoting.advance(over: text)
            case .expression(let expression, let offset):
                let value: JSONValue
                do {
                    value = try expression.evaluate(in: context)
                } catch {
                    throw ExpressionError(error.message, at: offset + error.offset)
                }
                let name = Self.shellValuePrefix + String(values.count + 1)
                values[name] = value.interpolated
                switch quoting {
                case .none: script += "\"${\(name)}\""
                case .double: script += "${\(name)}"
                case .single: script += "'\"${\(name)}\"'"
                case .ansiC: script += "'\"${\(name)}\"$'"
                }
            }
        }
        return ShellScript(script: script, values: values)
    }
}

/// Where a position in a POSIX shell script is, as far as quoting goes (enough to place a variable reference).
enum ShellQuoting: Sendable, Hashable {
    case none, single, double, ansiC

    /// Moves past `text`, following quotes and backslash escapes.
    mutating func advance(over text: String) {
        var escaped = false
        var previous: Character?
        for character in text {
            defer { previous = character }
            if escaped {
                escaped = false
                continue
            }
            switch self {
            case .none:
                if character == "\\" {
                    escaped = true
                } else if character == "'" {
                    self = previous == "$" ? .ansiC : .single
                } else if character == "\"" {
                    self = .double
                }
            case .single:
                if character == "'" { self = .none }
            case .ansiC:
                if character == "\\" {
                    escaped = true
                } else if character == "'" {
                    self = .none
                }
            case .double:
                if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    self = .none
                }
            }
        }
    }
}

import Logging

/// Kiln's log lines on stderr: swift-log's `StreamLogHandler`, with the logger's own metadata kept aside until a
/// line is written.
///
/// `StreamLogHandler` renders all of its metadata into text each time one key is set, and the HTTP server sets a
/// request id on every request's logger: that rendering (the id made into text, for lines that are almost never
/// written) cost 2 % of `kiln serve`'s CPU per 1-row prediction. Here setting a key only stores it; a written line
/// shows the same metadata as before, in the same format.
struct StderrLog: LogHandler {
    private var stream: StreamLogHandler
    /// The logger's metadata, merged into each line's own at the time it is written.
    var metadata: Logger.Metadata = [:]

    /// A handler labelled `label`.
    init(label: String) {
        stream = StreamLogHandler.standardError(label: label)
    }

    /// A logger writing to stderr at `level`.
    static func logger(label: String, level: Logger.Level) -> Logger {
        var logger = Logger(label: label) { StderrLog(label: $0) }
        logger.logLevel = level
        return logger
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        stream.log(event: event)
    }
}

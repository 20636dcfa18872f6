import Logging
import PipelineEngine
import PipelineModel
import ServiceLifecycle

/// `kiln serve`'s notification sender: delivers the `notify:` events of every run the daemon executes, until
/// graceful shutdown (what is already queued is still sent).
struct NotificationService: Service {
    let dispatcher: NotificationDispatcher
    let environment: [String: String]
    let store: any StateStore
    let logger: Logger

    func run() async throws {
        await withGracefulShutdownHandler {
            await dispatcher.deliver(environment: environment, store: store, logger: logger)
        } onGracefulShutdown: {
            dispatcher.finish()
        }
    }
}

import Logging
import MLTasks
import PipelineModel
import ServiceLifecycle

/// `kiln serve`'s prediction upkeep, off the request path: every `interval`, follows moved aliases (loading a
/// promoted or rolled-back version, then swapping it in) and writes the waiting prediction and feedback rows; once
/// more at shutdown.
struct PredictionMaintenance: Service, CustomStringConvertible {
    /// The service's name. (Its fields include the process environment, which the service group's debug log
    /// lines would otherwise print whole, secrets included.)
    var description: String { "PredictionMaintenance" }

    let service: PredictionService
    let clock: any PipelineClock
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock.now
            await step()
            do {
                try await cancelWhenGracefulShutdown { [clock, interval] in try await clock.sleep(until: now.adding(interval)) }
            } catch is CancellationError {
                break
            }
        }
        do {
            try service.log?.flush(at: clock.now)
        } catch {
            logger.error("Prediction log not written", metadata: ["error.message": "\(error)"])
        }
    }

    private func step() async {
        do {
            for change in try await service.maintain() {
                Terminal.err("kiln serve: now serving \(change)")
            }
        } catch {
            logger.error("Prediction log not written", metadata: ["error.message": "\(error)"])
        }
    }
}

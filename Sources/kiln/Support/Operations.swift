import DeploymentTasks
import KilnOperations
import ModelRegistry
import PipelineEngine
import PipelineModel

/// The operations shared by the command line and the HTTP API, over a home's stores.
enum Operations {
    static func make(home: HomeOptions, wiring: TriggerWiring, clock: any PipelineClock = SystemClock()) throws -> KilnOperations {
        KilnOperations(
            store: wiring.store, triggerStates: wiring.store, registry: ModelRegistryService(store: wiring.registry),
            metrics: wiring.registry, deployer: try home.deployer(registry: wiring.registry), inputs: wiring.inputs, clock: clock,
            queue: wiring.stores.queue)
    }
}

import PipelineEngine
import PipelineModel
internal import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// What a `run:` or `shell:` action executes: the program and its arguments.
struct CommandProgram {
    /// The program, looked up in `PATH` when given by name.
    let executable: Executable
    /// The arguments after the program (argv[1...]).
    let arguments: [String]
    /// The program as the user wrote it, for messages.
    let displayName: String
    /// Whether the program is looked up in `PATH`.
    let searchesPath: Bool

    /// The program of `action`.
    ///
    /// - Parameters:
    ///   - action: A `run:` argv or a `shell:` script.
    ///   - workingDirectory: The directory a relative program path (`./train.sh`) is resolved against.
    /// - Throws: ``TaskFailure`` for an empty argv or a `uses:` action.
    init(_ action: ResolvedAction, workingDirectory: String) throws {
        switch action {
        case .run(let argv):
            guard let program = argv.first, !program.isEmpty else {
                throw TaskFailure("run: needs at least a program name (the argv is empty)")
            }
            displayName = program
            arguments = Array(argv.dropFirst())
            if program.contains("/") {
                let path = FilePath(program)
                executable = .path(path.isAbsolute ? path : FilePath(workingDirectory).pushing(path))
                searchesPath = false
            } else {
                executable = .name(program)
                searchesPath = true
            }
        case .shell(let script):
            displayName = "/bin/sh"
            arguments = ["-c", script]
            executable = .path("/bin/sh")
            searchesPath = false
        case .uses(let kind):
            throw TaskFailure("the command runner runs run: and shell: actions, not the task kind '\(kind)'")
        }
    }

    /// The message for a process that could not be started or watched.
    func failure(_ error: SubprocessError, workingDirectory: String) -> TaskFailure {
        switch error.code {
        case .executableNotFound where searchesPath:
            TaskFailure("program '\(displayName)' not found in PATH")
        case .executableNotFound:
            TaskFailure("program '\(displayName)' not found or not executable")
        case .failedToChangeWorkingDirectory:
            TaskFailure("cannot run in working directory '\(workingDirectory)': it does not exist or is not accessible")
        case .spawnFailed:
            TaskFailure("could not start '\(displayName)': \(error)")
        default:
            TaskFailure("running '\(displayName)' failed: \(error)")
        }
    }
}

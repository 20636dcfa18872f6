import Foundation

/// Runs a `data:` rule's command in a process group of its own, under a timeout, and reads what it prints.
///
/// On timeout, on too much output, or when the calling task is cancelled, the whole group gets SIGTERM and, 1 s
/// later, SIGKILL, and is reaped — so no child (and no grandchild of a shell) is left behind.
enum CommandRun {
    /// How the command ended.
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case outputTooLong
    }

    /// What a run produced.
    struct Result {
        var ending: Ending
        var output: [UInt8]
    }

    /// Runs `argv` with `base` as its working directory; stderr goes to /dev/null. An exit status of 127 means the
    /// program was not found, 126 that `base` is not a folder.
    /// - Throws: ``RowCountError`` when it cannot start; `CancellationError` when the calling task is cancelled or
    ///   `shouldStop` returns `true` (the group is killed first).
    static func run(
        _ argv: [String], in base: String, timeout: Duration, maxOutput: Int, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws -> Result {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw RowCountError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own (killed as a whole), default signal handling and an empty signal mask: the daemon
        // may ignore or block SIGTERM/SIGINT for its own listener, which a child would otherwise inherit.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        // A trampoline that changes into `base` and then execs the argv itself (looked up on PATH): the shell never
        // interprets the arguments.
        let trampoline = ["/bin/sh", "-c", "cd \"$1\" || exit 126; shift; exec \"$@\"", "sh", base] + argv
        var pid: pid_t = 0
        let cArguments = trampoline.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArguments, environ)
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            throw RowCountError("cannot start \(argv[0]): \(String(cString: strerror(spawned))); check that it is "
                + "installed and on PATH")
        }
        defer { close(readEnd) }

        let deadline = ContinuousClock.now.advanced(by: timeout)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var ending: Ending?
        var status: Int32 = 0
        var reaped = false
        var reading = true
        while ending == nil {
            if Task.isCancelled || shouldStop?() == true {
                killGroup(pid)
                throw CancellationError()
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero {
                ending = .timedOut
                break
            }
            if reading {
                var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptor, 1, Int32(min(100, max(1, milliseconds(remaining)))))
                if ready > 0 {
                    let count = buffer.withUnsafeMutableBytes { systemRead(readEnd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        output.append(contentsOf: buffer[0..<count])
                        if output.count > maxOutput { ending = .outputTooLong }
                    } else if count == 0 || errno != EINTR {
                        reading = false
                    }
                }
            } else {
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid {
                    reaped = true
                    break
                }
                usleep(10_000)
            }
        }
        if let ending {
            if !reaped { killGroup(pid) }
            return Result(ending: ending, output: output)
        }
        // The command exited; stop anything it left running in its group.
        _ = kill(-pid, SIGKILL)
        let exitStatus = status & 0x7F == 0 ? Ending.exited((status >> 8) & 0xFF) : Ending.signalled(status & 0x7F)
        return Result(ending: exitStatus, output: output)
    }

    /// SIGTERM to the group, SIGKILL 1 s later if the leader is still there, then reaps the leader.
    static func killGroup(_ pid: pid_t) {
        _ = kill(-pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) == pid {
                _ = kill(-pid, SIGKILL)
                return
            }
            usleep(10_000)
        }
        _ = kill(-pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(min(seconds, 1_000_000)) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// `read(2)`, named so that a type's own `read` members do not hide it.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

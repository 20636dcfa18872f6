import FuzzDriver

#if canImport(Glibc)
import Glibc
#endif

/// Hands the process to libFuzzer with `target` as the function under test, and exits with libFuzzer's status.
///
/// SwiftPM gives every executable its own `main`, so the targets cannot rely on libFuzzer's; they call its driver.
/// libFuzzer's flags (`-max_total_time=`, `-runs=`, corpus directories, a reproducer file) come from the command line.
public func runFuzzer(_ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = withUnsafeMutablePointer(to: &argc) { argcPointer in
        withUnsafeMutablePointer(to: &argv) { argvPointer in
            LLVMFuzzerRunDriver(argcPointer, argvPointer, target)
        }
    }
    exit(status)
}

/// The bytes libFuzzer passes, as a buffer (libFuzzer may pass a null pointer for the empty input).
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> UnsafeRawBufferPointer {
    guard let data, count > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: data, count: count)
}

import Foundation
import Testing

/// The dashboard in a real browser (headless Chromium + Selenium, `Tests/Browser/dashboard_test.py`) against a real
/// `kiln serve`. Runs when chromedriver and Selenium are installed; with `KILN_BROWSER_TESTS=required` (as CI sets)
/// their absence is a failure. Screenshots go to `.build/browser-artifacts/`.
@Suite("Dashboard in a browser")
struct BrowserDashboardTests {
    static var available: Bool {
        let chromedriver = ["/usr/bin/chromedriver", "/usr/local/bin/chromedriver"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import selenium"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return chromedriver && probe.terminationStatus == 0
    }

    @Test("pipelines page, a waiting fraud-detection run approved by a click, the model chart")
    func dashboard() async throws {
        let required = ProcessInfo.processInfo.environment["KILN_BROWSER_TESTS"] == "required"
        guard Self.available else {
            #expect(!required, "KILN_BROWSER_TESTS=required but chromedriver or Selenium is missing (apt-get install chromium chromium-driver; pip install selenium)")
            return
        }
        let artifacts = CLI.root.appendingPathComponent(".build/browser-artifacts").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.root.appendingPathComponent("Tests/Browser/dashboard_test.py").path, CLI.binary.path, artifacts]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Read and wait on a thread of its own: the browser run takes many seconds, and blocking one of the few
        // threads of Swift concurrency's pool that long would stall the other tests.
        let text = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                continuation.resume(returning: text)
            }
        }
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("all dashboard checks passed"))
    }
}

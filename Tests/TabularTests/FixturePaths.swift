import Foundation

/// Paths of the CSV fixtures copied into the test bundle.
enum FixturePaths {
    /// The fixtures directory inside the test resource bundle.
    static var directory: String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").path
    }

    /// The full path of a fixture file.
    /// - Parameters:
    ///   - name: A path relative to the fixtures directory.
    static func path(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }
}

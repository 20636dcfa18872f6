import ModelRegistry
import Testing

@Suite("Model references and names")
struct ModelReferenceTests {
    @Test(
        "a reference is NAME (production), NAME@ALIAS or NAME@VERSION",
        arguments: [
            ("recommendation", ModelReference(model: "recommendation", selector: .alias("production"))),
            ("recommendation@production", ModelReference(model: "recommendation", selector: .alias("production"))),
            ("recommendation@staging", ModelReference(model: "recommendation", selector: .alias("staging"))),
            ("recommendation@3", ModelReference(model: "recommendation", selector: .version(3))),
            ("recommendation@007", ModelReference(model: "recommendation", selector: .version(7))),
            ("Fraud.EU_v2@canary-eu", ModelReference(model: "Fraud.EU_v2", selector: .alias("canary-eu"))),
            ("m@2024-q4", ModelReference(model: "m", selector: .alias("2024-q4"))),
        ])
    func parses(text: String, expected: ModelReference) throws {
        #expect(try ModelReference(parsing: text) == expected)
    }

    @Test(
        "malformed references are refused with the syntax in the message",
        arguments: ["", "@production", "name@", "name@0", "a@b@c", "name@Prod", "two words", "-dash@1", "name@99999999999999999999"])
    func refuses(text: String) throws {
        #expect(throws: RegistryError.invalidReference(text)) { try ModelReference(parsing: text) }
        #expect(RegistryError.invalidReference(text).description.contains("NAME@ALIAS or NAME@VERSION"))
    }

    @Test("the text form always carries the selector and parses back")
    func roundTrip() throws {
        let reference = ModelReference(model: "fraud")
        #expect(reference.description == "fraud@production")
        #expect(try ModelReference(parsing: reference.description) == reference)
        #expect(ModelReference(model: "fraud", selector: .version(4)).description == "fraud@4")
    }

    @Test("alias names match [a-z0-9][a-z0-9_-]* and are not only digits")
    func aliasNames() {
        for name in ["production", "staging", "canary-eu", "v2_rc", "0day", "2024-q4"] {
            #expect(RegistryNames.isValidAliasName(name), "\(name)")
        }
        for name in ["", "Production", "3", "42", "-x", "_x", "a b", "a@b", "a.b", String(repeating: "a", count: 65)] {
            #expect(!RegistryNames.isValidAliasName(name), "\(name)")
        }
    }

    @Test("model names are letters, digits, '.', '_' and '-', starting with a letter or digit")
    func modelNames() {
        for name in ["fraud", "Fraud", "churn-v2", "rec.eu_1", "3d"] {
            #expect(RegistryNames.isValidModelName(name), "\(name)")
        }
        for name in ["", ".hidden", "-x", "a b", "a@1", "a/b", "é", String(repeating: "a", count: 101)] {
            #expect(!RegistryNames.isValidModelName(name), "\(name)")
        }
    }
}

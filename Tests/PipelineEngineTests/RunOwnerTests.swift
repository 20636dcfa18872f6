import PipelineEngine
import Testing

/// The stored text of an owner: the same JSON every store writes, read back to the same owner, whichever owner
/// came last.
@Suite struct RunOwnerTests {
    @Test("an owner's stored text is its JSON with sorted keys, and reads back equal, alternating owners included")
    func storedTextRoundTrips() throws {
        let first = RunOwner(label: "kiln run", host: "build-1", pid: 4242, started: 1234)
        let second = RunOwner(label: "kiln worker \"gpu/1\"", host: "gpu-1", pid: 7, started: 0)
        #expect(try first.storedText() == #"{"host":"build-1","label":"kiln run","pid":4242,"started":1234}"#)
        for owner in [first, second, second, first, second] {
            let text = try owner.storedText()
            #expect(try RunOwner(storedText: text) == owner)
        }
        #expect(try second.storedText() == #"{"host":"gpu-1","label":"kiln worker \"gpu/1\"","pid":7,"started":0}"#)
        #expect(throws: DecodingError.self) { try RunOwner(storedText: #"{"host":"x"}"#) }
        #expect(try RunOwner(storedText: first.storedText()) == first, "still reads after a failed read")
    }
}

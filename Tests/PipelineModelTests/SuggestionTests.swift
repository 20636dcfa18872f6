import Testing

@testable import PipelineModel

@Suite struct SuggestionTests {
    @Test("of equally close candidates the hint names the one that sorts first, in any order")
    func tiesAreDeterministic() {
        // 'feature-a' is one edit from both: the hint used to follow the order of a dictionary's keys.
        let candidates = ["feature-b", "feadure-a", "extract", "train"]
        for order in [candidates, candidates.reversed(), candidates.shuffled(), candidates.shuffled()] {
            #expect(Suggestion.nearest(to: "feature-a", in: order) == "feadure-a")
        }
        let keys = Dictionary(uniqueKeysWithValues: candidates.map { ($0, 0) }).keys
        #expect(Suggestion.hint(for: "feature-a", in: keys) == " (did you mean 'feadure-a'?)")
    }

    @Test("the closest candidate wins over one that sorts first; nothing close gives no hint")
    func closestWins() {
        #expect(Suggestion.nearest(to: "retires", in: ["retry_delay", "retries", "env"]) == "retries")
        #expect(Suggestion.nearest(to: "TimeOut", in: ["timeout", "tags"]) == "timeout")
        #expect(Suggestion.nearest(to: "zzz", in: ["timeout", "needs"]) == nil)
        #expect(Suggestion.hint(for: "zzz", in: ["timeout"]) == "")
    }
}

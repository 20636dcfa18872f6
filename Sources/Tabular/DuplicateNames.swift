/// Finds a repeated column name. Frames are narrow, and a prediction request builds several of them: for a few
/// names, comparing each pair is several times cheaper than hashing every name into a set.
enum DuplicateNames {
    /// Up to this many names are compared pairwise; more go through a set.
    static let pairwiseLimit = 24

    /// The first name (in order) that an earlier one repeats, or `nil`.
    static func first<Names: Collection>(in names: Names) -> String? where Names.Element == String {
        if names.count <= pairwiseLimit {
            var index = names.startIndex
            while index != names.endIndex {
                let name = names[index]
                var earlier = names.startIndex
                while earlier != index {
                    if names[earlier] == name { return name }
                    names.formIndex(after: &earlier)
                }
                names.formIndex(after: &index)
            }
            return nil
        }
        var seen = Set<String>(minimumCapacity: names.count)
        for name in names where !seen.insert(name).inserted { return name }
        return nil
    }
}

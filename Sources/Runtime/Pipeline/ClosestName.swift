/// The known name a misspelt one most likely meant, for "did you mean `min-count`?".
///
/// Case, `_` and `-` are ignored first (`min_count`, `minCount` and `MIN-COUNT` all find
/// `min-count`), then the edit distance must be small for the word's length, so a short key
/// does not suggest an unrelated short key (`id` is not `by`).
enum ClosestName {
    static func suggestion(for name: String, among known: [String]) -> String? {
        let wanted = normalized(name)
        var best: (name: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(wanted, normalized(candidate))
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let allowed = wanted.count <= 3 ? 1 : wanted.count <= 6 ? 2 : 3
        return best.distance <= allowed ? best.name : nil
    }

    private static func normalized(_ name: String) -> [Character] {
        Array(name.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit (`mni` for `min`).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                var value = min(previous[j] + 1, current[j - 1] + 1, substitution)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}

/// The order-16 Hilbert index of a grid cell, four levels per table lookup.
///
/// Same curve as `SpaceFillingCurve.hilbertIndex(x:y:order: 16)` (the tests compare them on every
/// kind of cell) at about a tenth of the instructions: that loop spends ~37 instructions a level, and
/// the router computes one key per event. The curve's recursion only ever swaps the axes or
/// complements both, and those commute, so the frame at each level is one of four states; the table
/// maps (state, 4 bits of x, 4 bits of y) to 8 bits of index and the next state.
enum HilbertKey {
    /// Entry `state << 8 | xNibble << 4 | yNibble`: low byte the index digits, bits 8–9 the next state.
    /// State bit 0: axes swapped; bit 1: both axes complemented.
    static let table: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 4 << 8)
        for state in 0..<4 {
            for xNibble in 0..<16 {
                for yNibble in 0..<16 {
                    var frame = state, digits = 0
                    for bit in stride(from: 3, through: 0, by: -1) {
                        var rx = (xNibble >> bit) & 1, ry = (yNibble >> bit) & 1
                        if frame & 2 != 0 { rx ^= 1; ry ^= 1 }
                        if frame & 1 != 0 { swap(&rx, &ry) }
                        digits = digits << 2 | ((3 * rx) ^ ry)
                        if ry == 0 {
                            if rx == 1 { frame ^= 2 }
                            frame ^= 1
                        }
                    }
                    table[state << 8 | xNibble << 4 | yNibble] = UInt16(digits) | UInt16(frame) << 8
                }
            }
        }
        return table
    }()

    /// Index of cell (x, y) on the order-16 curve; both must be < 2^16.
    @inline(__always)
    static func index(x: UInt32, y: UInt32) -> UInt64 {
        table.withUnsafeBufferPointer { table in
            var state = 0, index: UInt64 = 0, shift: UInt32 = 16
            while shift > 0 {
                shift -= 4
                let entry = table[state << 8 | Int((x >> shift) & 15) << 4 | Int((y >> shift) & 15)]
                index = index << 8 | UInt64(entry & 0xFF)
                state = Int(entry >> 8)
            }
            return index
        }
    }
}

import Operators
import XCTest

final class WindowClockTests: XCTestCase {
    func testFirstWindowEndFollowsFlinkAlignmentForNegativeAndPositiveTimes() {
        let clock = WindowClock(size: 10_000, slide: 5_000)
        XCTAssertEqual(clock.firstWindowEnd(after: 0), 5_000)
        XCTAssertEqual(clock.firstWindowEnd(after: 4_999), 5_000)
        XCTAssertEqual(clock.firstWindowEnd(after: 5_000), 10_000)
        XCTAssertEqual(clock.firstWindowEnd(after: -1), 0)
        XCTAssertEqual(clock.firstWindowEnd(after: -5_000), 0)
        XCTAssertEqual(clock.firstWindowEnd(after: -5_001), -5_000)
    }
}

import Foundation
import Testing

@testable import WeftDomain

/// `TaskGraph`'s order, depths and cycles: linear time, and the same answers as the straightforward definitions.
struct TaskGraphTests {
    static func task(_ key: String, _ deps: [String] = []) -> JobTask { JobTask(key: key, action: .script("true"), dependsOn: deps) }

    /// The definition: repeatedly take every task whose dependencies are all placed, in input order.
    static func referenceOrder(_ tasks: [JobTask]) -> [String] {
        var done = Set<String>()
        var order: [String] = []
        var remaining = tasks
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.dependsOn.allSatisfy { done.contains($0) } }
            if ready.isEmpty { order += remaining.map(\.key); break }
            for t in ready { done.insert(t.key); order.append(t.key) }
            remaining.removeAll { done.contains($0.key) }
        }
        return order
    }

    static func referenceLevels(_ tasks: [JobTask]) -> [String: Int] {
        let deps = Dictionary(tasks.map { ($0.key, $0.dependsOn) }, uniquingKeysWith: { a, _ in a })
        var level: [String: Int] = [:]
        for key in referenceOrder(tasks) { level[key] = (deps[key] ?? []).compactMap { level[$0] }.max().map { $0 + 1 } ?? 0 }
        return level
    }

    @Test func diamondsWavesAndDanglingDependencies() {
        let tasks = [
            Self.task("d", ["b", "c"]), Self.task("a"), Self.task("c", ["a"]), Self.task("b", ["a"]), Self.task("x", ["ghost"]),
            Self.task("y", ["x", "a"]), Self.task("e"),
        ]
        let (order, levels) = TaskGraph.orderAndLevels(tasks)
        #expect(order == ["a", "e", "c", "b", "d", "x", "y"])
        #expect(levels == ["a": 0, "e": 0, "b": 1, "c": 1, "d": 2, "x": 0, "y": 1])
        #expect(order == Self.referenceOrder(tasks) && levels == Self.referenceLevels(tasks))
    }

    @Test func randomGraphsMatchTheDefinition() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let n = Int.random(in: 1...30, using: &rng)
            // Mostly acyclic (dependencies on earlier keys), sometimes a back edge (a cycle) or a dangling one.
            let tasks = (0..<n).map { i -> JobTask in
                var deps: [String] = []
                for _ in 0..<Int.random(in: 0...3, using: &rng) {
                    switch Int.random(in: 0..<20, using: &rng) {
                    case 0: deps.append("t\(Int.random(in: 0..<n, using: &rng))")
                    case 1: deps.append("ghost")
                    default: if i > 0 { deps.append("t\(Int.random(in: 0..<i, using: &rng))") }
                    }
                }
                return Self.task("t\(i)", deps)
            }.shuffled(using: &rng)
            let (order, levels) = TaskGraph.orderAndLevels(tasks)
            #expect(order == Self.referenceOrder(tasks), "\(tasks.map { "\($0.key)<-\($0.dependsOn)" })")
            #expect(levels == Self.referenceLevels(tasks), "\(tasks.map { "\($0.key)<-\($0.dependsOn)" })")
        }
    }

    @Test func aTenThousandTaskChainIsLinearAndItsCycleCheckDoesNotRecurse() {
        let n = 10_000
        var tasks = (0..<n).map { i in Self.task("t\(i)", i == 0 ? [] : ["t\(i - 1)"]) }
        let start = Date()
        let (order, levels) = TaskGraph.orderAndLevels(tasks)
        #expect(TaskGraph.cycle(tasks) == nil)
        let elapsed = Date().timeIntervalSince(start)
        print("TaskGraph of a \(n)-task chain: \(String(format: "%.3f", elapsed)) s")
        #expect(elapsed < 2, "took \(elapsed) s")
        #expect(order.first == "t0" && order.last == "t\(n - 1)" && levels["t\(n - 1)"] == n - 1)
        // Closing the chain into a ring: the cycle is found and named from where the search entered it.
        tasks[0].dependsOn = ["t\(n - 1)"]
        let cycle = TaskGraph.cycle(tasks)
        #expect(cycle?.count == n + 1 && cycle?.first == cycle?.last)
    }
}

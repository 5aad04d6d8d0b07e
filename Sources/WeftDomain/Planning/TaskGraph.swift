/// The dependency graph of a job's tasks.
public enum TaskGraph {
    /// Dangling dependencies, duplicates and cycles, as problems.
    public static func problems(_ tasks: [JobTask], file: String? = nil) -> [Problem] {
        var out: [Problem] = []
        var keys = Set<String>()
        for t in tasks {
            if let p = Names.problem(t.key, kind: "task key") { out.append(Problem(file: file, p.message)) }
            if !keys.insert(t.key).inserted { out.append(Problem(file: file, "task key '\(t.key)' is used twice")) }
        }
        for t in tasks {
            for d in t.dependsOn where !keys.contains(d) {
                out.append(Problem(file: file, "task '\(t.key)' depends on '\(d)', which is not a task of this job"))
            }
            if t.dependsOn.contains(t.key) { out.append(Problem(file: file, "task '\(t.key)' depends on itself")) }
        }
        if let cycle = cycle(tasks) {
            // Named after its first task, so a file's problem can point at that task's line.
            out.append(Problem(file: file, "task '\(cycle[0])': the tasks' depends_on form a cycle: " + cycle.joined(separator: " → ")))
        }
        return out
    }

    /// One dependency cycle, if any, as the list of keys along it (first repeated at the end).
    public static func cycle(_ tasks: [JobTask]) -> [String]? {
        let deps = Dictionary(tasks.map { ($0.key, $0.dependsOn) }, uniquingKeysWith: { a, _ in a })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ k: String) -> [String]? {
            if state[k] == 2 { return nil }
            if state[k] == 1 {
                guard let i = stack.firstIndex(of: k) else { return [k] }
                return Array(stack[i...]) + [k]
            }
            state[k] = 1
            stack.append(k)
            for d in deps[k] ?? [] where deps[d] != nil {
                if let c = visit(d) { return c }
            }
            stack.removeLast()
            state[k] = 2
            return nil
        }
        for t in tasks { if let c = visit(t.key) { return c } }
        return nil
    }

    /// Task keys in an order where every task comes after its dependencies (input order among peers).
    public static func topologicalOrder(_ tasks: [JobTask]) -> [String] {
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

    /// The depth (longest chain of dependencies) of each task, for drawing the graph as text.
    public static func levels(_ tasks: [JobTask]) -> [String: Int] {
        let deps = Dictionary(tasks.map { ($0.key, $0.dependsOn) }, uniquingKeysWith: { a, _ in a })
        var level: [String: Int] = [:]
        for key in topologicalOrder(tasks) {
            level[key] = (deps[key] ?? []).compactMap { level[$0] }.max().map { $0 + 1 } ?? 0
        }
        return level
    }
}

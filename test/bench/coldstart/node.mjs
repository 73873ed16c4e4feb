/* global performance */
// Cold start, Node alone: no import and no socket, only the line every cold-start app prints (with a canned reply).
const loaded = performance.now()
process.stdout.write(`${JSON.stringify({ loaded, answered: performance.now(), rss: process.memoryUsage.rss(), reply: { a: 1 } })}\n`)

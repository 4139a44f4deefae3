# redis-rb.rb - redis-rb's Sentinel support under the failovers of clients.sh
# (the checks of common.js, in Ruby).
#   ruby redis-rb.rb planned|kill SPORT DEADLINE PORT:PID PORT:PID
# RESP2 only: redis-rb 4.x (Debian's ruby-redis) has no RESP3 (it came
# with redis-rb 5 and its redis-client).
require 'redis'
require 'socket'

$stdout.sync = true

mode, sport, deadline, *nodes = ARGV
sport = Integer(sport)
deadline = Float(deadline)
servers = nodes.map { |s| port, pid = s.split(':').map { |x| Integer(x) }; { port: port, pid: pid } }
now = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
fail_with = ->(msg) { puts msg; exit! 1 }
end_at = now.() + deadline
Thread.new { sleep 3 * deadline; fail_with.("no result after #{3 * deadline} s") }
until_ok = lambda do |what, &cond|
  until cond.()
    fail_with.("timed out waiting for #{what.()}") if now.() > end_at
    sleep 0.01
  end
end

admin = Redis.new(host: '127.0.0.1', port: sport, timeout: 2)
master = -> { (r = admin.call(:sentinel, 'get-master-addr-by-name', 'mymaster')) ? Integer(r[1]) : 0 }
admin.call(:sentinel, 'set', 'mymaster', 'down-after-milliseconds', '500') if mode == 'kill'

# A master among the two, the other one its replica with the link up.
old = nxt = nil
seen = ''
until_ok.(-> { "a master with a linked replica: #{seen}" }) do
  m = master.()
  reps = admin.call(:sentinel, 'replicas', 'mymaster').map { |r| Hash[*r] }
  old = servers.find { |s| s[:port] == m }
  nxt = servers.find { |s| s[:port] != m }
  seen = "master #{m}, replicas #{reps.map { |r| r.values_at('port', 'flags', 'master-link-status') }}"
  old && reps.any? { |r| Integer(r['port']) == nxt[:port] && r['flags'] == 'slave' && r['master-link-status'] == 'ok' }
end
end_at = now.() + deadline

# redis-rb 5 takes the master's name as name:, redis-rb 4 as the host of its
# URL (4.x ignores name:, and asks for a master called "127.0.0.1").
named = Gem::Version.new(Redis::VERSION) >= Gem::Version.new('5') ? { name: 'mymaster' } : { url: 'redis://mymaster' }
client = Redis.new(**named, sentinels: [{ host: '127.0.0.1', port: sport }],
                   role: :master, connect_timeout: 1, timeout: 2)
key = "#{mode}:counter"
# One INCR at a time, in a thread; every acknowledged value is checked.
w = { stop: false, acks: 0, last: 0, errors: 0, last_error: '', regressions: [],
      last_ack_at: now.(), max_gap: 0, since: Float::INFINITY, after: 0, first_after: nil }
writer = Thread.new do
  until w[:stop]
    started = now.()
    begin
      v = client.incr(key)
      t = now.()
      w[:regressions] << "#{w[:last]} then #{v}" if v <= w[:last]
      w[:last] = [w[:last], v].max
      w[:acks] += 1
      w[:max_gap] = [w[:max_gap], t - w[:last_ack_at]].max
      w[:last_ack_at] = t
      if started >= w[:since]
        w[:first_after] ||= { at: t, value: v }
        w[:after] += 1
      end
    rescue Redis::BaseError => e
      w[:errors] += 1
      w[:last_error] = e.message
      sleep 0.01
    end
  end
end
stats = -> { "#{w[:acks]} acknowledged, last #{w[:last]}, #{w[:errors]} errors (last: #{w[:last_error]})" }
ms = ->(s) { (s * 1000).round }
until_ok.(-> { "300 writes before the failover: #{stats.()}" }) { w[:acks] >= 300 }

if mode == 'planned'
  t0 = now.()
  reply = admin.call(:sentinel, 'failover', 'mymaster')
  until_ok.(-> { "the switch to #{nxt[:port]} (FAILOVER said #{reply})" }) { master.() == nxt[:port] }
  tswitch = now.() - t0
  switched = w[:acks]
  until_ok.(-> { "300 writes after the switch: #{stats.()}" }) { w[:acks] >= switched + 300 }
  w[:stop] = true
  writer.join
  unless w[:regressions].empty?
    fail_with.("acknowledged writes lost: INCR went back from #{w[:regressions].first(5).join(', ')}")
  end
  line = "switch after #{ms.(tswitch)} ms, longest write stall #{ms.(w[:max_gap])} ms"
else
  t0 = now.()
  end_at = t0 + deadline
  Process.kill('KILL', old[:pid])
  # The signal may take a moment: count from when the port refuses.
  refused = lambda do
    TCPSocket.new('127.0.0.1', old[:port]).close
    false
  rescue Errno::ECONNREFUSED
    true
  rescue Errno::ECONNRESET
    false # dying while it accepted us: ask again
  end
  until_ok.(-> { "port #{old[:port]} closed" }) { refused.() }
  before = w[:last]
  w[:since] = now.()
  until_ok.(-> { "100 writes after the kill: #{stats.()}" }) { w[:after] >= 100 }
  w[:stop] = true
  writer.join
  m = master.()
  fail_with.("the sentinel gives #{m}, not #{nxt[:port]}") if m != nxt[:port]
  lost = [0, before - w[:first_after][:value] + 1].max
  line = "first write #{ms.(w[:first_after][:at] - t0)} ms after the kill, " \
         "#{lost} acknowledged writes lost (asynchronous replication)"
end
# Every acknowledged INCR is on the new master: its counter is at least the
# last value acknowledged.
got = Integer(Redis.new(host: '127.0.0.1', port: nxt[:port], timeout: 2).get(key) || 0)
if got < w[:last]
  fail_with.("the new master #{nxt[:port]} has #{key} = #{got}, #{w[:last]} was acknowledged")
end
puts "#{w[:acks]} INCRs acknowledged, #{w[:errors]} retried errors, " \
     "the new master #{nxt[:port]} has #{got}; #{line}"
exit! 0

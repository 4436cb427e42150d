using System;
using System.Reflection;
using System.Threading;

namespace Axme.Sdk.Agents
{
    /// <summary>
    /// REQ-LISTEN-007: calls <c>onStop</c> once when the process gets SIGINT or SIGTERM, until disposed.
    /// On Mono, SIGTERM ends the process without raising AppDomain.ProcessExit, so both signals are
    /// caught through Mono.Posix's UnixSignal (loaded by reflection: the SDK keeps to the netstandard
    /// API); a caught signal does not end the process, so RunAgentAsync returns and Main exits 0.
    /// Elsewhere Console.CancelKeyPress (canceled) takes SIGINT and AppDomain.ProcessExit SIGTERM,
    /// where the runtime waits for the handler, so the drain finishes before the process ends.
    /// </summary>
    internal sealed class StopSignals : IDisposable
    {
        private const string MonoPosix = "Mono.Posix, Version=4.0.0.0, Culture=neutral, PublicKeyToken=0738eb9f132ed756";
        private const int PollMilliseconds = 200; // how soon Dispose ends the watching thread

        private readonly Action _onStop;
        private readonly Func<bool> _drained;
        private volatile bool _disposed;
        private int _fired;
        private Thread _watcher;

        /// <param name="onStop">what a signal does (called at most once)</param>
        /// <param name="drained">blocks until the agent has stopped (ProcessExit waits on it)</param>
        public StopSignals(Action onStop, Func<bool> drained)
        {
            _onStop = onStop;
            _drained = drained;
            if (!WatchUnixSignals())
            {
                Console.CancelKeyPress += OnCancelKeyPress;
                AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            }
        }

        private void Fire()
        {
            if (Interlocked.Exchange(ref _fired, 1) == 0) _onStop();
        }

        private bool WatchUnixSignals()
        {
            if (Type.GetType("Mono.Runtime") == null) return false;
            Type signalType, signum;
            try
            {
                Assembly posix = Assembly.Load(MonoPosix);
                signalType = posix.GetType("Mono.Unix.UnixSignal", true);
                signum = posix.GetType("Mono.Unix.Native.Signum", true);
            }
            catch (Exception e) when (e is System.IO.IOException || e is TypeLoadException || e is BadImageFormatException)
            {
                return false;
            }
            Array signals = Array.CreateInstance(signalType, 2);
            signals.SetValue(Activator.CreateInstance(signalType, Enum.Parse(signum, "SIGINT")), 0);
            signals.SetValue(Activator.CreateInstance(signalType, Enum.Parse(signum, "SIGTERM")), 1);
            MethodInfo waitAny = signalType.GetMethod("WaitAny", new[] { signals.GetType(), typeof(int) });
            // UnixSignal.WaitAny returns the index of the signal, or the timeout when none came
            // (WaitHandle.WaitAny over UnixSignals crashes Mono 6.8).
            _watcher = new Thread(() =>
            {
                try
                {
                    while (!_disposed)
                    {
                        int index = (int)waitAny.Invoke(null, new object[] { signals, PollMilliseconds });
                        if (index >= 0 && index < signals.Length && !_disposed)
                        {
                            Fire();
                            return;
                        }
                    }
                }
                finally
                {
                    foreach (IDisposable signal in signals) signal.Dispose(); // restores the default action
                }
            }) { IsBackground = true, Name = "axme-stop-signals" };
            _watcher.Start();
            return true;
        }

        private void OnCancelKeyPress(object sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true; // the process goes on until the agent has drained
            Fire();
        }

        private void OnProcessExit(object sender, EventArgs e)
        {
            Fire();
            _drained();
        }

        public void Dispose()
        {
            _disposed = true;
            if (_watcher != null)
            {
                if (Thread.CurrentThread != _watcher) _watcher.Join();
                return;
            }
            Console.CancelKeyPress -= OnCancelKeyPress;
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        }
    }
}

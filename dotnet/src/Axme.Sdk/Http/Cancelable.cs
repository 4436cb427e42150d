using System;
using System.Threading;
using System.Threading.Tasks;

namespace Axme.Sdk.Http
{
    /// <summary>
    /// Awaits I/O that should end when a token is canceled, without trusting the I/O to notice:
    /// on Mono a pending <c>GetResponseAsync</c> or response-stream read may ignore both its token
    /// and <c>HttpWebRequest.Abort</c> for a while. The caller still aborts the I/O; this only
    /// makes the await return at once (REQ-TIMEOUT-003: a canceled wait stops promptly).
    /// </summary>
    internal static class Cancelable
    {
        /// <summary>
        /// The task's result, or <see cref="OperationCanceledException"/> as soon as
        /// <paramref name="token"/> is canceled. An abandoned task is observed when it ends,
        /// and a result it still produces goes to <paramref name="discard"/> (e.g. to close a
        /// response nobody will read).
        /// </summary>
        public static async Task<T> OrCanceled<T>(Task<T> task, CancellationToken token, Action<T> discard = null)
        {
            if (task.IsCompleted || !token.CanBeCanceled) return await task.ConfigureAwait(false);
            var canceled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (token.Register(() => canceled.TrySetResult(true)))
            {
                if (await Task.WhenAny(task, canceled.Task).ConfigureAwait(false) == task) return await task.ConfigureAwait(false);
            }
            _ = task.ContinueWith(t =>
            {
                if (t.IsFaulted) GC.KeepAlive(t.Exception); // observed: no UnobservedTaskException
                else if (t.Status == TaskStatus.RanToCompletion && discard != null) discard(t.Result);
            }, TaskContinuationOptions.ExecuteSynchronously);
            throw new OperationCanceledException(token);
        }
    }
}

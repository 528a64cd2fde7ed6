//! [`MockServer`]: the mock as a library, in the style of wiremock's `MockServer`.
//!
//! The listener is bound before the server task is spawned, so `uri()` is usable at once with no
//! readiness polling. The server runs on the caller's tokio runtime and stops when the handle is
//! dropped (or on [`MockServer::shutdown`]).

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::domain::id::IdGen;
use crate::http::{AppState, router};
use crate::store::Store;

/// Serves the mock's router on `listener` until `shutdown` completes, letting in-flight requests
/// finish. Used by the binary and by [`MockServer`].
///
/// # Errors
/// I/O errors from the listener.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// A running mock server.
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Options for [`MockServer`].
#[derive(Debug, Default)]
pub struct MockServerBuilder {
    listener: Option<std::net::TcpListener>,
    id_seed: Option<u64>,
}

impl MockServerBuilder {
    /// Serve on an already bound listener instead of `127.0.0.1:0`.
    pub fn listener(mut self, listener: std::net::TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Generate ids from a fixed seed, so that the same requests produce the same ids.
    pub fn id_seed(mut self, seed: u64) -> Self {
        self.id_seed = Some(seed);
        self
    }

    /// Binds and starts the server.
    ///
    /// # Panics
    /// If no port can be bound on 127.0.0.1 or the given listener is unusable, as wiremock does:
    /// a test cannot go on without its server. Use [`MockServerBuilder::try_start`] to handle it.
    pub async fn start(self) -> MockServer {
        match self.try_start().await {
            Ok(server) => server,
            Err(e) => panic!("failed to start the mock server: {e}"),
        }
    }

    /// Binds and starts the server.
    ///
    /// # Errors
    /// I/O errors while binding.
    pub async fn try_start(self) -> std::io::Result<MockServer> {
        let listener = match self.listener {
            Some(l) => {
                l.set_nonblocking(true)?;
                TcpListener::from_std(l)?
            }
            None => TcpListener::bind(("127.0.0.1", 0)).await?,
        };
        let address = listener.local_addr()?;
        let ids = self.id_seed.map_or_else(IdGen::random, IdGen::seeded);
        let state = AppState::new(Store::new(ids));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        Ok(MockServer {
            address,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

impl MockServer {
    /// Starts a server on `127.0.0.1` with a free port.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert!(server.uri().starts_with("http://127.0.0.1:"));
    /// # }
    /// ```
    pub async fn start() -> MockServer {
        MockServer::builder().start().await
    }

    /// Options for a server; finish with `.start().await`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::builder().id_seed(42).start().await;
    /// assert_ne!(server.address().port(), 0);
    /// # }
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Base URL, e.g. `http://127.0.0.1:43567`, for an SDK's API base.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert_eq!(server.uri(), format!("http://{}", server.address()));
    /// # }
    /// ```
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The bound socket address.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// assert!(server.address().ip().is_loopback());
    /// # }
    /// ```
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The server's store, for direct inspection in tests.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Stops the server and waits until in-flight requests have finished.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = stripe_billing_mock::MockServer::start().await;
    /// server.shutdown().await;
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

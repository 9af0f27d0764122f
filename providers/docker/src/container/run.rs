//! Containers that run to completion (`attach`, with `logs` kept in `container_logs`) and the
//! graceful stop before a delete (`destroy_grace_seconds`).

use bollard::container::LogOutput;
use bollard::query_parameters::{
    InspectContainerOptions, LogsOptions, StartContainerOptions, StopContainerOptions,
    WaitContainerOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use plinth_sdk::{Diagnostics, Value};

use super::observe;
use crate::attrs;
use crate::client::failed;

/// Starts the container, waits until it exits and records its exit code (and output with
/// `logs`). A non-zero exit is not an error: `exit_code` says what happened.
pub async fn to_completion(
    docker: &Docker,
    id: &str,
    name: &str,
    planned: Value,
) -> Result<Value, Diagnostics> {
    docker
        .start_container(id, None::<StartContainerOptions>)
        .await
        .map_err(|e| failed(format!("starting container \"{name}\" failed"), &e))?;
    let mut waits = docker.wait_container(id, None::<WaitContainerOptions>);
    while let Some(answer) = waits.next().await {
        match answer {
            Ok(_) => {}
            // A non-zero exit code arrives as an error of the wait stream.
            Err(bollard::errors::Error::DockerContainerWaitError { .. }) => {}
            Err(e) => {
                return Err(failed(format!("waiting for container \"{name}\" failed"), &e).into())
            }
        }
    }
    let logs = if attrs::boolean(&planned, "logs", false) {
        Value::string(output(docker, id).await)
    } else {
        Value::Null
    };
    let inspect = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .map_err(|e| failed(format!("reading container \"{name}\" failed"), &e))?;
    let value = attrs::with(planned, [("container_logs", logs)]);
    Ok(observe::with_computed(value, &inspect))
}

/// Everything the container wrote to stdout and stderr.
async fn output(docker: &Docker, id: &str) -> String {
    let options = LogsOptions {
        stdout: true,
        stderr: true,
        ..LogsOptions::default()
    };
    let mut stream = docker.logs(id, Some(options));
    let mut text = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        match chunk {
            LogOutput::StdOut { message }
            | LogOutput::StdErr { message }
            | LogOutput::Console { message } => text.push_str(&String::from_utf8_lossy(&message)),
            LogOutput::StdIn { .. } => {}
        }
    }
    text
}

/// Stops the container, giving it `grace` seconds; a failure (already stopped, gone) is left
/// to the removal that follows.
pub async fn stop(docker: &Docker, id: &str, grace: i64) {
    let options = StopContainerOptions {
        t: Some(i32::try_from(grace).unwrap_or(i32::MAX)),
        ..StopContainerOptions::default()
    };
    let _ = docker.stop_container(id, Some(options)).await;
}

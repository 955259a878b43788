//! Checkpoints of the sequence layers ([`Embedding`], [`Recurrent`]): their architecture
//! strings, their [`LayerSpec`]s and the checked rebuilding from a spec (used by
//! [`Sequential`](crate::layers::Sequential)'s `architecture`, `layer_specs` and
//! `from_checkpoint` in `persist.rs`).

use crate::checkpoint::{CheckpointError, LayerSpec};
use crate::layers::{Embedding, Recurrent, RecurrentOutput};
use crate::ops::{CellKind, Nonlinearity};
use crate::{Element, ParamId, Params};

fn kind_name(kind: CellKind) -> &'static str {
    match kind {
        CellKind::Rnn(Nonlinearity::Tanh) => "rnn_tanh",
        CellKind::Rnn(Nonlinearity::Relu) => "rnn_relu",
        CellKind::Lstm => "lstm",
        CellKind::Gru => "gru",
    }
}

fn kind_from_name(name: &str) -> Option<CellKind> {
    Some(match name {
        "rnn_tanh" => CellKind::Rnn(Nonlinearity::Tanh),
        "rnn_relu" => CellKind::Rnn(Nonlinearity::Relu),
        "lstm" => CellKind::Lstm,
        "gru" => CellKind::Gru,
        _ => return None,
    })
}

fn output_name(output: RecurrentOutput) -> &'static str {
    match output {
        RecurrentOutput::AllSteps => "all_steps",
        RecurrentOutput::FinalState => "final_state",
    }
}

/// `embedding(65, 8)`, `embedding(65, 8, padding 0)`.
pub(crate) fn embedding_architecture(e: &Embedding) -> String {
    match e.padding_idx {
        Some(p) => format!(
            "embedding({}, {}, padding {p})",
            e.num_embeddings, e.embedding_dim
        ),
        None => format!("embedding({}, {})", e.num_embeddings, e.embedding_dim),
    }
}

/// `lstm(8→128, 2 layers, bidirectional, no bias, batch first, dropout 0.1, final state)`
/// (the default options left out).
pub(crate) fn recurrent_architecture(r: &Recurrent) -> String {
    let mut s = format!(
        "{}({}→{}, {} layer{}",
        kind_name(r.kind),
        r.input_size,
        r.hidden_size,
        r.num_layers,
        if r.num_layers == 1 { "" } else { "s" }
    );
    if r.bidirectional {
        s.push_str(", bidirectional");
    }
    if !r.has_bias() {
        s.push_str(", no bias");
    }
    if r.batch_first {
        s.push_str(", batch first");
    }
    if r.dropout != 0.0 {
        s.push_str(&format!(", dropout {}", r.dropout));
    }
    s.push_str(match r.output {
        RecurrentOutput::AllSteps => ", all steps)",
        RecurrentOutput::FinalState => ", final state)",
    });
    s
}

pub(crate) fn embedding_spec<F: Element>(params: &Params<F>, e: &Embedding) -> LayerSpec {
    LayerSpec::Embedding {
        weight: params.name(e.weight).to_string(),
        num_embeddings: e.num_embeddings,
        embedding_dim: e.embedding_dim,
        padding_idx: e.padding_idx,
    }
}

pub(crate) fn recurrent_spec<F: Element>(params: &Params<F>, r: &Recurrent) -> LayerSpec {
    LayerSpec::Recurrent {
        kind: kind_name(r.kind).to_string(),
        input_size: r.input_size,
        hidden_size: r.hidden_size,
        num_layers: r.num_layers,
        bidirectional: r.bidirectional,
        batch_first: r.batch_first,
        dropout: format!("{}", r.dropout),
        output: output_name(r.output).to_string(),
        weights: r
            .weights
            .iter()
            .map(|ids| ids.iter().map(|&id| params.name(id).to_string()).collect())
            .collect(),
    }
}

/// The parameter `name`, which must have shape `shape`.
fn find<F: Element>(
    params: &Params<F>,
    name: &str,
    shape: &[usize],
) -> Result<ParamId, CheckpointError> {
    let id = params
        .ids()
        .find(|&id| params.name(id) == name)
        .ok_or_else(|| CheckpointError::MissingParameter {
            name: name.to_string(),
        })?;
    if params.shape(id).dims() != shape {
        return Err(CheckpointError::ShapeMismatch {
            name: name.to_string(),
            expected: shape.to_vec(),
            found: params.shape(id).dims().to_vec(),
        });
    }
    Ok(id)
}

/// The embedding of layer `i` of a description, its table checked in `params`.
pub(crate) fn embedding_from_spec<F: Element>(
    params: &Params<F>,
    i: usize,
    weight: &str,
    (num, dim): (usize, usize),
    padding_idx: Option<usize>,
) -> Result<Embedding, CheckpointError> {
    if num == 0 || dim == 0 || padding_idx.is_some_and(|p| p >= num) {
        return Err(CheckpointError::BadModel(format!(
            "layer {i}: an embedding of {num} rows of width {dim} with padding row \
             {padding_idx:?} is not valid"
        )));
    }
    Ok(Embedding {
        weight: find(params, weight, &[num, dim])?,
        num_embeddings: num,
        embedding_dim: dim,
        padding_idx,
    })
}

/// The recurrent network of layer `i` of a description (a [`LayerSpec::Recurrent`]), every
/// parameter checked in `params`.
pub(crate) fn recurrent_from_spec<F: Element>(
    params: &Params<F>,
    i: usize,
    spec: &LayerSpec,
) -> Result<Recurrent, CheckpointError> {
    let LayerSpec::Recurrent {
        kind,
        input_size,
        hidden_size,
        num_layers,
        bidirectional,
        batch_first,
        dropout,
        output,
        weights,
    } = spec
    else {
        unreachable!("recurrent_from_spec is called on LayerSpec::Recurrent only");
    };
    let bad = |why: String| CheckpointError::BadModel(format!("layer {i}: {why}"));
    let kind = kind_from_name(kind).ok_or_else(|| bad(format!("unknown cell {kind:?}")))?;
    let output = match output.as_str() {
        "all_steps" => RecurrentOutput::AllSteps,
        "final_state" => RecurrentOutput::FinalState,
        _ => return Err(bad(format!("unknown recurrent output {output:?}"))),
    };
    let Some(dropout) = dropout
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..1.0).contains(p))
    else {
        return Err(bad(format!(
            "dropout probability {dropout:?} is not a number in [0, 1)"
        )));
    };
    let (inp, hid, layers) = (*input_size, *hidden_size, *num_layers);
    let dirs = if *bidirectional { 2 } else { 1 };
    let per_cell = weights.first().map_or(0, Vec::len);
    if inp == 0
        || hid == 0
        || layers == 0
        || weights.len() != layers * dirs
        || !(per_cell == 2 || per_cell == 4)
        || weights.iter().any(|w| w.len() != per_cell)
    {
        return Err(bad(format!(
            "a recurrent network {inp}→{hid} of {layers} layers and {dirs} directions needs \
             positive sizes and 2 or 4 parameters for each of its {} cells, got {:?}",
            layers * dirs,
            weights.iter().map(Vec::len).collect::<Vec<_>>()
        )));
    }
    let gh = kind.gates() * hid;
    let mut ids = Vec::with_capacity(weights.len());
    for (k, names) in weights.iter().enumerate() {
        let cell_in = if k < dirs { inp } else { dirs * hid };
        let shapes = [vec![gh, cell_in], vec![gh, hid], vec![gh], vec![gh]];
        ids.push(
            names
                .iter()
                .zip(&shapes)
                .map(|(n, s)| find(params, n, s))
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    Ok(Recurrent {
        kind,
        input_size: inp,
        hidden_size: hid,
        num_layers: layers,
        bidirectional: *bidirectional,
        batch_first: *batch_first,
        dropout,
        output,
        weights: ids,
    })
}

"""Small CTC models: a conformer-style encoder on NeMo mel features (en, vi) and a wav2vec2-style
raw-waveform model (digits). Padded frames are masked after every convolution, so batched == single."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def gelu(x):
    """Exact GELU written out: Debian torch 1.13's F.gelu backward returns wrong gradients when the incoming
    gradient is non-contiguous (e.g. after a transpose)."""
    return 0.5 * x * (1.0 + torch.erf(x * 0.7071067811865476))


class GELU(nn.Module):
    def forward(self, x):
        return gelu(x)


def calc_length(L, repeats=2):
    """NeMo subsampling calc_length: kernel 3, stride 2, padding 1, applied log2(factor) times."""
    for _ in range(repeats):
        L = torch.div(L + 2 - 3, 2, rounding_mode='floor') + 1
    return L


def time_mask(T, lengths):
    return torch.arange(T, device=lengths.device)[None, :] < lengths[:, None]


class MHSA(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.h, self.dk = heads, d // heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):  # x [B,T,d], mask [B,T] bool (True = valid) or None
        B, T, d = x.shape
        q, k, v = self.qkv(x).reshape(B, T, 3, self.h, self.dk).permute(2, 0, 3, 1, 4)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dk)
        if mask is not None:
            att = att.masked_fill(~mask[:, None, None, :], -10000.0)
        att = self.drop(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(B, T, d)
        return self.out(y)


class FF(nn.Module):
    def __init__(self, d, mult, dropout):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d * mult), nn.SiLU(), nn.Dropout(dropout),
                                 nn.Linear(d * mult, d), nn.Dropout(dropout))

    def forward(self, x):
        return self.net(x)


class ConvModule(nn.Module):
    def __init__(self, d, kernel, dropout):
        super().__init__()
        self.ln = nn.LayerNorm(d)
        self.pw1 = nn.Conv1d(d, 2 * d, 1)
        self.dw = nn.Conv1d(d, d, kernel, padding=kernel // 2, groups=d)
        self.ln2 = nn.LayerNorm(d)
        self.pw2 = nn.Conv1d(d, d, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, maskf):  # maskf [B,T,1] float
        y = self.ln(x).transpose(1, 2)
        y = F.glu(self.pw1(y), dim=1)
        y = y * maskf.transpose(1, 2)
        y = self.dw(y).transpose(1, 2)
        y = F.silu(self.ln2(y)).transpose(1, 2)
        y = self.pw2(y).transpose(1, 2)
        return self.drop(y)


class ConformerBlock(nn.Module):
    def __init__(self, d, heads, ff_mult, kernel, dropout):
        super().__init__()
        self.ff1 = FF(d, ff_mult, dropout)
        self.ln_att = nn.LayerNorm(d)
        self.att = MHSA(d, heads, dropout)
        self.drop = nn.Dropout(dropout)
        self.conv = ConvModule(d, kernel, dropout)
        self.ff2 = FF(d, ff_mult, dropout)
        self.ln_out = nn.LayerNorm(d)

    def forward(self, x, mask, maskf):
        x = x + 0.5 * self.ff1(x)
        x = x + self.drop(self.att(self.ln_att(x), mask))
        x = x + self.conv(x, maskf)
        x = x + 0.5 * self.ff2(x)
        return self.ln_out(x) * maskf


class ConformerCTC(nn.Module):
    """Input audio_signal [B, 80, T] + length [B] -> logprobs [B, T', V] (log-softmax, blank = V-1)."""

    def __init__(self, n_classes, n_mels=80, d=144, layers=4, heads=4, ff_mult=4, kernel=15, sub_ch=32, dropout=0.1):
        super().__init__()
        self.conv1 = nn.Conv2d(1, sub_ch, 3, 2, 1)
        self.conv2 = nn.Conv2d(sub_ch, sub_ch, 3, 2, 1)
        f = n_mels
        for _ in range(2):
            f = (f + 2 - 3) // 2 + 1
        self.proj = nn.Linear(sub_ch * f, d)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList([ConformerBlock(d, heads, ff_mult, kernel, dropout) for _ in range(layers)])
        self.out = nn.Linear(d, n_classes)

    def encoded_length(self, length):
        return calc_length(length)

    def forward(self, audio_signal, length):
        x = audio_signal.transpose(1, 2).unsqueeze(1)        # [B,1,T,F]
        L1 = calc_length(length, 1)
        x = F.relu(self.conv1(x))
        x = x * time_mask(x.shape[2], L1)[:, None, :, None].to(x.dtype)
        L2 = calc_length(L1, 1)
        x = F.relu(self.conv2(x))
        m = time_mask(x.shape[2], L2)
        x = x * m[:, None, :, None].to(x.dtype)
        B, C, T, Fq = x.shape
        x = self.proj(x.transpose(1, 2).reshape(B, T, C * Fq))
        maskf = m[:, :, None].to(x.dtype)
        x = self.drop(x) * maskf
        for blk in self.blocks:
            x = blk(x, m, maskf)
        return torch.log_softmax(self.out(x), dim=-1)


class LN(nn.Module):
    """LayerNorm over the last dim, written out (exports as plain ONNX ops)."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + self.eps) * self.weight + self.bias


class TransformerLayer(nn.Module):
    def __init__(self, d, heads, ff_mult, dropout):
        super().__init__()
        self.ln1 = LN(d)
        self.att = MHSA(d, heads, dropout)
        self.ln2 = LN(d)
        self.ff = nn.Sequential(nn.Linear(d, d * ff_mult), GELU(), nn.Dropout(dropout), nn.Linear(d * ff_mult, d))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        x = x + self.drop(self.att(self.ln1(x), mask))
        return x + self.drop(self.ff(self.ln2(x)))


W2V_KERNELS = [10, 3, 3, 3, 3, 2, 2]
W2V_STRIDES = [5, 2, 2, 2, 2, 2, 2]


def w2v_frames(L):
    for k, s in zip(W2V_KERNELS, W2V_STRIDES):
        L = torch.div(L - k, s, rounding_mode='floor') + 1
    return L


class Wav2Vec2CTC(nn.Module):
    """input_values [B, N] (normalised 16 kHz samples) -> logits [B, T', V] (raw). ~20 ms frames."""

    def __init__(self, n_classes, channels=(64, 64, 96, 96, 128, 128, 128), d=144, layers=3, heads=4, ff_mult=4,
                 pos_kernel=31, dropout=0.1):
        super().__init__()
        convs, cin = [], 1
        for c, k, s in zip(channels, W2V_KERNELS, W2V_STRIDES):
            convs.append(nn.Conv1d(cin, c, k, s, bias=False))
            cin = c
        self.convs = nn.ModuleList(convs)
        # wav2vec2 feat_extract_norm="layer": LayerNorm over channels after every conv (per frame: batch-invariant)
        self.conv_ln = nn.ModuleList([LN(channels[0], eps=1e-3)])
        self.fp_ln = LN(cin, eps=1e-3)
        self.fp = nn.Linear(cin, d)
        self.pos = nn.Conv1d(d, d, pos_kernel, padding=pos_kernel // 2, groups=d)
        self.ln = LN(d)
        self.drop = nn.Dropout(dropout)
        self.layers = nn.ModuleList([TransformerLayer(d, heads, ff_mult, dropout) for _ in range(layers)])
        self.ln_out = LN(d)
        self.out = nn.Linear(d, n_classes)
        self.mask_emb = nn.Parameter(torch.zeros(d))

    def forward(self, input_values, lengths=None, time_mask_spans=None):
        x = input_values[:, None, :]
        L = lengths
        for i, conv in enumerate(self.convs):
            if i == 0 and self.training:
                # same maths as the conv (no bias), a little faster for 1 input channel
                fr = x[:, 0, :].unfold(1, conv.kernel_size[0], conv.stride[0])      # [B, T1, k]
                x = torch.matmul(fr, conv.weight[:, 0, :].t()).transpose(1, 2)      # [B, C, T1]
            else:
                x = conv(x)
            if L is not None:
                L = torch.div(L - conv.kernel_size[0], conv.stride[0], rounding_mode='floor') + 1
            # Only layer 0 is normalised (eps 1e-3), and the mask comes after the norm: near-constant rows (digital
            # silence, padding) have rstd ~ 1/sqrt(eps); with LayerNorm after all 7 convs, their gradients
            # compounded to inf/NaN.
            if i == 0:
                x = self.conv_ln[0](x.transpose(1, 2)).transpose(1, 2)
            x = gelu(x)
            if L is not None:
                x = x * time_mask(x.shape[2], L)[:, None, :].to(x.dtype)
        x = self.fp(self.fp_ln(x.transpose(1, 2)))                 # [B,T,d]
        m = None if L is None else time_mask(x.shape[1], L)
        if time_mask_spans is not None:
            x = torch.where(time_mask_spans[:, :, None], self.mask_emb.to(x.dtype), x)
        if m is not None:
            x = x * m[:, :, None].to(x.dtype)
        p = gelu(self.pos(x.transpose(1, 2))).transpose(1, 2)
        x = self.drop(self.ln(x + p))
        for layer in self.layers:
            x = layer(x, m)
        return self.out(self.ln_out(x)), L

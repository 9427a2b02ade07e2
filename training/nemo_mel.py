#!/usr/bin/env python3
"""NeMo AudioToMelSpectrogramPreprocessor (FilterbankFeatures), NeMo <= 2.3 variant, in numpy/torch.

16 kHz, window 400 (symmetric hann, zero-padded centred in n_fft 512), hop 160, preemph 0.97, reflect
centre padding (n_fft/2), power spectrum, Slaney mel (librosa algorithm, norm='slaney', fmin 0, fmax 8000),
ln(x + 2^-24), per_feature normalisation over the valid frames L//160 + 1 with unbiased std + 1e-5.
Dither is 0 (inference).  Verified against the reference values of ../shared/reference/nemo-confidence-ensemble.md §4a (run this file).
"""
import numpy as np
import torch

SR, N_FFT, WIN, HOP, N_MELS = 16000, 512, 400, 160, 80


def hz_to_mel(f):
    f = np.asanyarray(f, dtype=np.float64)
    f_min, f_sp = 0.0, 200.0 / 3
    mels = (f - f_min) / f_sp
    min_log_hz = 1000.0
    min_log_mel = (min_log_hz - f_min) / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def mel_to_hz(m):
    m = np.asanyarray(m, dtype=np.float64)
    f_min, f_sp = 0.0, 200.0 / 3
    freqs = f_min + f_sp * m
    min_log_hz = 1000.0
    min_log_mel = (min_log_hz - f_min) / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filterbank(sr=SR, n_fft=N_FFT, n_mels=N_MELS, fmin=0.0, fmax=None):
    """librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney'), float32."""
    fmax = sr / 2 if fmax is None else fmax
    weights = np.zeros((n_mels, 1 + n_fft // 2), dtype=np.float32)
    fftfreqs = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, np.newaxis]
    return weights


_FB = torch.from_numpy(mel_filterbank())
_WINDOW = torch.hann_window(WIN, periodic=False)


def features(x, length=None):
    """x: float32 tensor [B, N] (or [N]); returns (feats [B, 80, T], valid_len [B])."""
    if x.dim() == 1:
        x = x[None]
    x = x.float()
    B, N = x.shape
    if length is None:
        length = torch.full((B,), N, dtype=torch.long)
    seq_len = torch.div(length, HOP, rounding_mode='floor') + 1
    x = torch.cat([x[:, :1], x[:, 1:] - 0.97 * x[:, :-1]], dim=1)
    spec = torch.stft(x, n_fft=N_FFT, hop_length=HOP, win_length=WIN, window=_WINDOW, center=True,
                      pad_mode='reflect', return_complex=True)
    power = spec.real ** 2 + spec.imag ** 2            # |X|^2 (NeMo: sqrt(re^2+im^2)^2)
    mel = torch.matmul(_FB, power)
    logmel = torch.log(mel + 2 ** -24)
    T = logmel.shape[-1]
    mask = torch.arange(T)[None, :] < seq_len[:, None]  # [B, T]
    m = mask[:, None, :].float()
    n = seq_len[:, None].float()
    mean = (logmel * m).sum(-1) / n
    var = (((logmel - mean[..., None]) * m) ** 2).sum(-1) / (n - 1)
    std = var.sqrt() + 1e-5
    out = (logmel - mean[..., None]) / std[..., None]
    out = out.masked_fill(~mask[:, None, :], 0.0)
    return out, seq_len


def _selftest():
    n = np.arange(8037)
    x = (0.3 * np.sin(2 * np.pi * 440 * n / 16000) + 0.1 * np.sin(2 * np.pi * 1234.5 * n / 16000) * np.exp(-n / 16000)).astype(np.float32)
    f, L = features(torch.from_numpy(x))
    fb = mel_filterbank()
    print('shape', tuple(f.shape), 'len', int(L[0]))
    print('frame0', f[0, :4, 0].tolist())
    print('frame2', f[0, :4, 2].tolist())
    print('fb row0 cols1,2', fb[0, 1:3].tolist(), 'sum', float(fb.astype(np.float64).sum()))
    ref0 = [4.375894, 4.362009, 4.399568, 4.434407]
    ref2 = [0.021710, 0.034034, -0.074096, -0.159643]
    err = max(np.abs(f[0, :4, 0].numpy() - ref0).max(), np.abs(f[0, :4, 2].numpy() - ref2).max())
    assert tuple(f.shape) == (1, 80, 51) and int(L[0]) == 51
    assert abs(fb[0, 1] - 0.02253456) < 1e-7 and abs(fb[0, 2] - 0.00863771) < 1e-7
    assert abs(fb.astype(np.float64).sum() - 2.55826078) < 1e-5
    assert err < 1e-4, err
    print('OK max err', err)


if __name__ == '__main__':
    _selftest()

import torch
import torch.nn.functional as F
from torch_geometric.nn import LGConv
from torch_geometric.utils import to_undirected

from lgir_pyg.nn import GANRefine
from lgir_pyg.nn.functional import topk_excluding


class TextLightGCN(torch.nn.Module):
    r"""A LightGCN whose layer-0 input is an ID embedding plus a projection of
    each node's text embedding; few-shot users' text embeddings are refined
    by LGIR's GAN layer first."""
    def __init__(self, num_users: int, num_jobs: int, text_channels: int,
                 embedding_dim: int = 32, num_layers: int = 2) -> None:
        super().__init__()
        self.num_users = num_users
        self.embedding = torch.nn.Embedding(num_users + num_jobs,
                                            embedding_dim)
        self.proj = torch.nn.Linear(text_channels, embedding_dim, bias=False)
        # G refines users with <= k1 training interactions; D tells them
        # from users with >= k2.
        self.refine = GANRefine(text_channels, hidden_channels=64, k1=2, k2=5)
        self.convs = torch.nn.ModuleList(
            [LGConv() for _ in range(num_layers)])

    def forward(self, edge_index, user_text, job_text, num_train):
        user_text = self.refine(user_text, num_train)
        x = self.embedding.weight + self.proj(torch.cat([user_text,
                                                         job_text]))
        out = x
        for conv in self.convs:
            x = conv(x, edge_index)
            out = out + x
        out = out / (len(self.convs) + 1)
        return out[:self.num_users], out[self.num_users:]


# A tiny random graph: users have 1 to 8 training interactions, so there are
# few-shot (<= 2) and many-shot (>= 5) users.
torch.manual_seed(0)
num_users, num_jobs, text_channels = 40, 60, 16
num_train = torch.randint(1, 9, (num_users, ))
user = torch.repeat_interleave(torch.arange(num_users), num_train)
job = torch.cat([torch.randperm(num_jobs)[:n] for n in num_train.tolist()])
user_text = F.normalize(torch.randn(num_users, text_channels), dim=-1)
job_text = F.normalize(torch.randn(num_jobs, text_channels), dim=-1)
# The homogeneous, undirected view: jobs follow users.
edge_index = to_undirected(torch.stack([user, job + num_users]))

model = TextLightGCN(num_users, num_jobs, text_channels)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
lambda_gan = 0.1

for epoch in range(1, 51):
    user_emb, job_emb = model(edge_index, user_text, job_text, num_train)
    neg = torch.randint(num_jobs, job.shape)  # May hit a positive: a demo.
    pos_score = (user_emb[user] * job_emb[job]).sum(dim=-1)
    neg_score = (user_emb[user] * job_emb[neg]).sum(dim=-1)
    bpr_loss = F.softplus(neg_score - pos_score).mean()
    # Many-shot users are real, refined few-shot users fake; a sample of
    # each keeps the step cheap on a large graph. d_loss reaches only D's
    # parameters and g_loss only G's, so one optimizer steps all.
    few, many = model.refine.sample_shots(num_train, num_samples=16)
    d_loss, g_loss = model.refine.loss(user_text, few_index=few,
                                       many_index=many)
    loss = bpr_loss + lambda_gan * g_loss + d_loss
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

model.eval()
with torch.no_grad():
    user_emb, job_emb = model(edge_index, user_text, job_text, num_train)
    # Never recommend training jobs.
    _, top5 = topk_excluding(user_emb @ job_emb.t(), 5,
                             exclude_edge_index=torch.stack([user, job]))
print(model.refine)
print(f'BPR {bpr_loss.item():.4f}, D {d_loss.item():.4f}, '
      f'G {g_loss.item():.4f}')
print('top-5 jobs of user 0:', top5[0].tolist())

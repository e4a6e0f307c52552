# One deploy policy per team, each allowed to pass the roles under its team's path only.
locals {
  team_role_paths = {
    payments = "/teams/payments/"
    search   = "/teams/search/"
    platform = "/teams/platform/"
  }
}

resource "aws_iam_policy" "deploy" {
  for_each = local.team_role_paths

  name = "deploy-${each.key}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "PassTeamRoles"
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::123456789012:role${each.value}*"
    }]
  })
}

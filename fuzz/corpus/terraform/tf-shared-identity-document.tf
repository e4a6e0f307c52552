# One policy document attached inline to two roles: the PassRole grant on "*" is one source
# location, so PR010 is reported once there, not once per role policy.
data "aws_iam_policy_document" "deploy" {
  statement {
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "blue" {
  name   = "deploy"
  role   = "ci-blue"
  policy = data.aws_iam_policy_document.deploy.json
}

resource "aws_iam_role_policy" "green" {
  name   = "deploy"
  role   = "ci-green"
  policy = data.aws_iam_policy_document.deploy.json
}

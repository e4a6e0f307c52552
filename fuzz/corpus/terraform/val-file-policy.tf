# A policy kept in a JSON file: the finding points into that file.
resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = file("${path.module}/policies/deploy.json")
}

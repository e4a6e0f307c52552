# Terraform 0.11 style: "${...}" around a reference is the reference.
resource "aws_iam_role" "build" {
  name               = "build"
  assume_role_policy = "${data.aws_iam_policy_document.trust.json}"
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_codebuild_project" "build" {
  name         = "build"
  service_role = "${aws_iam_role.build.arn}"
}
